"""The retry loop: back-off, attempt budget, deadline and the receiver's Retry-After."""

from collections.abc import Awaitable, Callable

import pytest

from notifier.channels.retry import (
    SENT,
    Attempt,
    RetryPolicy,
    deliver_with_retries,
    permanent,
    transient,
)


class FakeTime:
    """A clock that only moves when the retry loop sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def policy(time: FakeTime, **overrides: float) -> RetryPolicy:
    settings = {"max_attempts": 5, "base_delay": 1.0, "max_delay": 8.0, "deadline": 100.0}
    settings.update(overrides)
    return RetryPolicy(
        max_attempts=int(settings["max_attempts"]),
        base_delay=settings["base_delay"],
        max_delay=settings["max_delay"],
        deadline=settings["deadline"],
        sleep=time.sleep,
        clock=time.clock,
        jitter=lambda: 1.0,
    )


def tries(*results: Attempt) -> Callable[[], Awaitable[Attempt]]:
    remaining = list(results)

    async def try_once() -> Attempt:
        return remaining.pop(0) if len(remaining) > 1 else remaining[0]

    return try_once


def test_backoff_doubles_up_to_the_cap_with_jitter_between_half_and_full() -> None:
    low = RetryPolicy(base_delay=1.0, max_delay=8.0, jitter=lambda: 0.0)
    high = RetryPolicy(base_delay=1.0, max_delay=8.0, jitter=lambda: 1.0)
    assert [high.backoff(n) for n in range(1, 6)] == [1.0, 2.0, 4.0, 8.0, 8.0]
    assert [low.backoff(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 4.0, 4.0]


def test_a_policy_needs_at_least_one_attempt() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)


async def test_a_first_success_is_one_attempt_and_no_wait() -> None:
    time = FakeTime()
    outcome = await deliver_with_retries(tries(SENT), policy(time))
    assert (outcome.sent, outcome.attempts, time.sleeps) == (True, 1, [])


async def test_transient_failures_are_retried_with_growing_waits() -> None:
    time = FakeTime()
    flaky = tries(transient("http 500"), transient("http 500"), transient("timeout"), SENT)
    outcome = await deliver_with_retries(flaky, policy(time))
    assert outcome.sent
    assert outcome.attempts == 4
    assert time.sleeps == [1.0, 2.0, 4.0]


async def test_a_permanent_failure_stops_at_once() -> None:
    time = FakeTime()
    outcome = await deliver_with_retries(tries(permanent("http 404")), policy(time))
    assert (outcome.sent, outcome.permanent, outcome.reason) == (False, True, "http 404")
    assert outcome.attempts == 1
    assert time.sleeps == []


async def test_an_exhausted_budget_is_a_transient_failure() -> None:
    time = FakeTime()
    outcome = await deliver_with_retries(tries(transient("http 503")), policy(time))
    assert (outcome.sent, outcome.permanent, outcome.reason) == (False, False, "http 503")
    assert outcome.attempts == 5
    assert len(time.sleeps) == 4


async def test_the_deadline_stops_retries_before_a_wait_would_overrun_it() -> None:
    time = FakeTime()
    outcome = await deliver_with_retries(tries(transient("timeout")), policy(time, deadline=5.0))
    # waits of 1 and 2 fit in 5 seconds; the next (4) would end at 7
    assert time.sleeps == [1.0, 2.0]
    assert (outcome.attempts, outcome.permanent, outcome.retry_after) == (3, False, None)


async def test_retry_after_is_waited_when_longer_than_the_backoff() -> None:
    time = FakeTime()
    limited = tries(transient("http 429", retry_after=7.0), SENT)
    outcome = await deliver_with_retries(limited, policy(time))
    assert outcome.sent
    assert time.sleeps == [7.0]


async def test_retry_after_past_the_deadline_is_handed_back_instead_of_waited() -> None:
    time = FakeTime()
    limited = tries(transient("http 429", retry_after=600.0))
    outcome = await deliver_with_retries(limited, policy(time, deadline=30.0))
    assert (outcome.sent, outcome.permanent, outcome.attempts) == (False, False, 1)
    assert outcome.retry_after == 600.0
    assert time.sleeps == []


async def test_retry_after_is_capped_by_the_policy() -> None:
    time = FakeTime()
    capped = RetryPolicy(max_retry_after=60.0, clock=time.clock, sleep=time.sleep)
    outcome = await deliver_with_retries(tries(transient("http 429", 86400.0)), capped)
    assert outcome.retry_after == 60.0
