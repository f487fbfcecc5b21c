"""The retry schedule: dense first, then backing off, Retry-After honoured, hopeless given up."""

from datetime import timedelta

import pytest

from notifier.domain.retrying import (
    DENSE_FOR,
    Failure,
    GiveUp,
    RetrySchedule,
    TryAgain,
    Verdict,
    after_failure,
    nominal_wait,
)
from tests.unit.notifier_domain.builders import NOW

SCHEDULE = RetrySchedule(failing_after=timedelta(seconds=90), give_up_after=timedelta(days=7))
NO_JITTER = 0.0
MOST_JITTER = 0.999


def retry(verdict: Verdict) -> TryAgain:
    assert isinstance(verdict, TryAgain), verdict
    return verdict


def wait_of(verdict: Verdict) -> float:
    return (retry(verdict).at - NOW).total_seconds()


def failing(rounds: int, for_: timedelta, retry_after: float | None = None) -> Failure:
    """A round failing for now after ``rounds`` failed rounds over ``for_``."""
    return Failure(
        hopeless=False,
        reason="http 503",
        retry_after=retry_after,
        failed_rounds=rounds,
        failing_since=NOW - for_,
    )


def test_the_first_failure_is_tried_again_a_second_later_and_starts_the_failing_clock() -> None:
    verdict = retry(after_failure(SCHEDULE, Failure(hopeless=False, reason="timeout"), NOW, 0.0))

    assert verdict == TryAgain(
        at=NOW + timedelta(seconds=1), failing_since=NOW, counts_as_failed=False
    )


def test_the_first_minutes_are_dense_seconds_apart() -> None:
    waits = [nominal_wait(rounds, timedelta(seconds=30)) for rounds in range(8)]

    assert waits == [1.0, 2.0, 4.0, 8.0, 15.0, 15.0, 15.0, 15.0]


def test_a_receiver_back_from_a_ten_minute_outage_waits_at_most_fifteen_seconds() -> None:
    # The next round is at most 15 s away: the alert arrives within half a minute.
    elapsed = [timedelta(seconds=s) for s in range(0, int(DENSE_FOR.total_seconds()), 7)]
    longest = max(
        wait_of(after_failure(SCHEDULE, failing(rounds, for_), NOW, NO_JITTER))
        for rounds in (0, 3, 40, 500)
        for for_ in elapsed
    )

    assert longest == 15.0


def test_after_the_dense_minutes_the_wait_backs_off_to_a_tenth_of_the_outage() -> None:
    def wait_after(minutes: float) -> float:
        return nominal_wait(60, timedelta(minutes=minutes))

    assert wait_after(10) == 60.0  # a minute
    assert wait_after(30) == 180.0
    assert wait_after(60) == 360.0  # an hour down: tried every 6 minutes
    assert wait_after(150) == 900.0
    assert wait_after(24 * 60) == 900.0  # never more than 15 minutes apart
    waits = [wait_after(m) for m in range(10, 300, 5)]
    assert waits == sorted(waits)  # only ever backing off


@pytest.mark.parametrize("jitter", [0.0, 0.3, 0.7, MOST_JITTER])
def test_jitter_only_shortens_a_wait_and_by_at_most_a_quarter(jitter: float) -> None:
    wait = wait_of(after_failure(SCHEDULE, failing(6, timedelta(minutes=2)), NOW, jitter))

    assert 0.75 * 15.0 < wait <= 15.0


def test_retry_after_is_honoured_when_it_asks_for_longer() -> None:
    asked = failing(0, timedelta(seconds=5), retry_after=42.0)
    shorter = failing(6, timedelta(minutes=30), retry_after=2.0)

    assert wait_of(after_failure(SCHEDULE, asked, NOW, NO_JITTER)) == 42.0
    assert wait_of(after_failure(SCHEDULE, shorter, NOW, NO_JITTER)) == 180.0  # the schedule's


def test_retry_after_is_capped_at_an_hour() -> None:
    asked = failing(0, timedelta(seconds=5), retry_after=7 * 24 * 3600.0)

    assert wait_of(after_failure(SCHEDULE, asked, NOW, NO_JITTER)) == 3600.0


def test_a_hopeless_failure_is_never_tried_again() -> None:
    hopeless = Failure(hopeless=True, reason="http 404", failed_rounds=3, failing_since=NOW)

    assert after_failure(SCHEDULE, hopeless, NOW, NO_JITTER) == GiveUp(reason="http 404")


def test_a_delivery_failing_for_a_short_while_counts_as_failed_while_it_is_retried() -> None:
    before = retry(after_failure(SCHEDULE, failing(9, timedelta(seconds=89)), NOW, NO_JITTER))
    after = retry(after_failure(SCHEDULE, failing(10, timedelta(seconds=90)), NOW, NO_JITTER))

    assert (before.counts_as_failed, after.counts_as_failed) == (False, True)
    assert after.failing_since == NOW - timedelta(seconds=90)  # the clock keeps its start


def test_a_delivery_failing_for_a_week_is_given_up() -> None:
    verdict = after_failure(SCHEDULE, failing(700, timedelta(days=7)), NOW, NO_JITTER)
    still = after_failure(SCHEDULE, failing(699, timedelta(days=6, hours=23)), NOW, NO_JITTER)

    assert verdict == GiveUp(reason="gave up after 7 days: http 503")
    assert wait_of(still) == 900.0
