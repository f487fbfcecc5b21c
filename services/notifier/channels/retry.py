"""Retries with exponential back-off, jitter and an overall deadline, shared by every channel.

An adapter describes a single try as an :class:`Attempt` (sent, a permanent failure, or a
transient one, perhaps with the receiver's ``Retry-After``) and hands a function making
one try to :func:`deliver_with_retries`, which decides whether and when to try again.

The deadline bounds when a new try may *start*: a try already under way is bounded by the
adapter's own timeout, so a send lasts at most about ``deadline + timeout``.

This is one round of a delivery, kept short. A round that fails for now is tried again
later from the ledger, on the schedule of ``notifier.domain.retrying``.
"""

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from notifier.channels.base import DeliveryOutcome


@dataclass(frozen=True, kw_only=True)
class Attempt:
    """The result of one try."""

    sent: bool = False
    permanent: bool = False
    reason: str | None = None
    retry_after: float | None = None


SENT = Attempt(sent=True)


def permanent(reason: str) -> Attempt:
    """A failure no retry can fix (refused address, 4xx, SMTP 5xx)."""
    return Attempt(permanent=True, reason=reason)


def transient(reason: str, retry_after: float | None = None) -> Attempt:
    """A failure worth retrying (network, timeout, 5xx, 408, 429, SMTP 4xx)."""
    return Attempt(reason=reason, retry_after=retry_after)


async def _sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """How often and how long to retry; ``sleep``, ``clock`` and ``jitter`` are for tests."""

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    deadline: float = 60.0
    # A receiver may ask for any wait; we never pass on more than this.
    max_retry_after: float = 3600.0
    sleep: Callable[[float], Awaitable[None]] = field(default=_sleep, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    jitter: Callable[[], float] = field(default=random.random, repr=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    def backoff(self, failed_tries: int) -> float:
        """The wait after ``failed_tries`` failures: doubling, capped, then jittered.

        "Equal jitter": half the delay is fixed and half random, so retries of many
        deliveries spread out while each still waits at least half the nominal delay.
        """
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (failed_tries - 1))
        return ceiling / 2 + ceiling / 2 * self.jitter()

    def capped_retry_after(self, asked: float | None) -> float | None:
        return None if asked is None else min(max(asked, 0.0), self.max_retry_after)


async def deliver_with_retries(
    try_once: Callable[[], Awaitable[Attempt]], policy: RetryPolicy
) -> DeliveryOutcome:
    """Try until sent, a permanent failure, the attempt budget or the deadline."""
    deadline = policy.clock() + policy.deadline
    tries = 0
    while True:
        tries += 1
        result = await try_once()
        asked = policy.capped_retry_after(result.retry_after)
        if result.sent or result.permanent or tries >= policy.max_attempts:
            return _outcome(result, tries, asked)
        wait = max(policy.backoff(tries), asked or 0.0)
        if policy.clock() + wait > deadline:
            # Waiting would overrun the deadline: give up now and let the caller
            # reschedule, passing on the wait the receiver asked for, if any.
            return _outcome(result, tries, asked)
        await policy.sleep(wait)


def _outcome(result: Attempt, tries: int, retry_after: float | None) -> DeliveryOutcome:
    if result.sent:
        return DeliveryOutcome(sent=True, permanent=False, reason=None, attempts=tries)
    return DeliveryOutcome(
        sent=False,
        permanent=result.permanent,
        reason=result.reason,
        attempts=tries,
        retry_after=None if result.permanent else retry_after,
    )
