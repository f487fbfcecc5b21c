"""What the ledger holds for the worker's chores, in one look: timers due, reports to send.

One query tells the chores loop which of its steps has anything to do, and when the next
timer is due, so a wake that finds nothing costs one round trip.
"""

from datetime import datetime

import msgspec

from notifier.ledger.sessions import Executor

# Each predicate is the one its worker step selects on, so what this finds that step finds.
PROBE = """
SELECT
    EXISTS (SELECT 1 FROM notifier.timers WHERE status = 'pending' AND fires_at <= $1)
        AS timers_due,
    EXISTS (SELECT 1 FROM notifier.deliveries
            WHERE reported_at IS NULL AND status IN ('sent', 'failed')
              AND (failing_report_id IS NULL OR failing_reported_at IS NOT NULL))
    OR EXISTS (SELECT 1 FROM notifier.deliveries
               WHERE failing_report_id IS NOT NULL AND failing_reported_at IS NULL)
    OR EXISTS (SELECT 1 FROM notifier.timers
               WHERE status = 'fired' AND report_id IS NOT NULL AND reported_at IS NULL)
        AS unreported,
    (SELECT min(fires_at) FROM notifier.timers WHERE status = 'pending') AS next_due
"""


class Work(msgspec.Struct, frozen=True, kw_only=True):
    timers_due: bool
    unreported: bool
    """A finished (or failing) delivery or a fired escalation the planner has not been told of."""
    next_due: datetime | None
    """When the earliest pending timer fires; None when there is none."""


async def probe(conn: Executor, now: datetime) -> Work:
    """The ledger's work as of ``now`` (the clock fire_due compares timers with)."""
    (row,) = await conn.fetch(PROBE, now)  # a SELECT without FROM: always one row
    return Work(
        timers_due=row["timers_due"],
        unreported=row["unreported"],
        next_due=row["next_due"],
    )
