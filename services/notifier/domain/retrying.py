"""When a delivery that did not go through is tried again: a pure schedule.

A send is one *round* of a few quick tries (the channel adapter's own short retries); a
round that fails for now leaves the delivery claimed in the ledger with the time of its
next round. The schedule is dense first, because a person is waiting, and then backs off:

- for the first ``DENSE_FOR`` (10 minutes) of failing, rounds are 1, 2, 4, 8 and then
  every 15 seconds apart, so a receiver back from an outage of up to ten minutes gets its
  alert within half a minute (the next round is at most 15 s away);
- after that, the wait is a tenth of how long the delivery has been failing, from 1 minute
  up to 15 minutes (10 min → 1 min, 1 h → 6 min, from 2.5 h on → 15 min);
- every wait is shortened at random by up to a quarter (``JITTER``), so retries of many
  deliveries spread out and none waits longer than the schedule says;
- a receiver's ``Retry-After`` is honoured when it asks for longer (up to an hour);
- a hopeless failure (a 4xx other than 408/429, an invalid or refused address, a channel
  not configured) is never retried, and a delivery still failing after ``give_up_after``
  (7 days: the acknowledge link it carries has expired by then) is given up.

A delivery failing for ``failing_after`` (90 s by default) counts as failed for early
escalation and for telling the activating partner, while its rounds go on. Whether the
delivery is still wanted (an alert of a resolved activation is not) is decided before
each round, when it is leased, not here.
"""

from datetime import datetime, timedelta

import msgspec

DENSE_STEPS = (1.0, 2.0, 4.0, 8.0, 15.0)  # seconds after the 1st, 2nd, … failed round
DENSE_FOR = timedelta(minutes=10)
BACK_OFF_SHARE = 0.1  # after the dense phase: this share of how long it has been failing
BACK_OFF_MIN = 60.0
BACK_OFF_MAX = 15 * 60.0
JITTER = 0.25  # a wait is shortened at random by up to this share, never lengthened
MAX_RETRY_AFTER = 3600.0  # a receiver may ask for any wait; we never wait longer than this


class RetrySchedule(msgspec.Struct, frozen=True, kw_only=True):
    failing_after: timedelta = timedelta(seconds=90)
    """A delivery failing this long counts as failed, while it is still retried."""
    give_up_after: timedelta = timedelta(days=7)
    """A delivery failing this long is given up."""


class Failure(msgspec.Struct, frozen=True, kw_only=True):
    """A round of tries that did not deliver, and what the ledger knew before it."""

    hopeless: bool
    """No retry can fix it (the adapter's ``permanent``)."""
    reason: str | None
    retry_after: float | None = None
    """Seconds the receiver asked us to wait (429 / 503 ``Retry-After``), if it did."""
    failed_rounds: int = 0
    """Rounds that failed before this one."""
    failing_since: datetime | None = None
    """When the first of them failed; None when this round is the first to fail."""


class TryAgain(msgspec.Struct, frozen=True, kw_only=True):
    at: datetime
    failing_since: datetime
    counts_as_failed: bool
    """It has failed for ``failing_after``: escalate and tell the partner as if it failed."""


class GiveUp(msgspec.Struct, frozen=True, kw_only=True):
    reason: str | None


Verdict = TryAgain | GiveUp


def after_failure(
    schedule: RetrySchedule, failure: Failure, now: datetime, jitter: float
) -> Verdict:
    """What to do after ``failure`` at ``now``; ``jitter`` is a random number in [0, 1)."""
    if failure.hopeless:
        return GiveUp(reason=failure.reason)
    since = failure.failing_since or now
    failing_for = now - since
    if failing_for >= schedule.give_up_after:
        return GiveUp(reason=f"gave up after {schedule.give_up_after.days} days: {failure.reason}")
    wait = nominal_wait(failure.failed_rounds, failing_for) * (1.0 - JITTER * jitter)
    asked = min(max(failure.retry_after or 0.0, 0.0), MAX_RETRY_AFTER)
    return TryAgain(
        at=now + timedelta(seconds=max(wait, asked)),
        failing_since=since,
        counts_as_failed=failing_for >= schedule.failing_after,
    )


def nominal_wait(failed_rounds: int, failing_for: timedelta) -> float:
    """Seconds to wait after the ``failed_rounds + 1``-th failed round, before jitter."""
    if failing_for < DENSE_FOR:
        return DENSE_STEPS[min(failed_rounds, len(DENSE_STEPS) - 1)]
    share = failing_for.total_seconds() * BACK_OFF_SHARE
    return min(BACK_OFF_MAX, max(BACK_OFF_MIN, share))
