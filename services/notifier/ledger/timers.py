"""Escalation timers: one durable row per (activation, tier), in the notifier's schema.

A timer is written in the same transaction as its tier's claims, so a tier is never
alerted without its timer, nor timed without its alerts. Firing takes the row with
``FOR UPDATE SKIP LOCKED``: with several notifier replicas, each timer fires once.
"""

from datetime import datetime
from uuid import UUID

import msgspec

from notifier.ledger.sessions import WAKE_TIMER, WORK_CHANNEL, Connection, Executor

# A new timer wakes the workers (the escalator may need to wake sooner), in one round trip.
START = """
WITH started AS (
    INSERT INTO notifier.timers (activation_id, tier, fires_at) VALUES ($1, $2, $3)
    ON CONFLICT (activation_id, tier) DO NOTHING
    RETURNING 1
)
SELECT count(*) FROM started, LATERAL (SELECT pg_notify($4, $5)) AS woken
"""
CANCEL = """
UPDATE notifier.timers SET status = 'cancelled'
WHERE activation_id = $1 AND status = 'pending'
"""
DUE = """
SELECT activation_id, tier FROM notifier.timers
WHERE status = 'pending' AND fires_at <= $1
ORDER BY fires_at LIMIT $2
FOR UPDATE SKIP LOCKED
"""
FIRE = """
UPDATE notifier.timers SET status = 'fired', report_id = $3, fired_at = now()
WHERE activation_id = $1 AND tier = $2
"""
RETIRE = "UPDATE notifier.timers SET status = 'cancelled' WHERE activation_id = $1 AND tier = $2"
# Every alert of the tier failed, for good or for long enough to count as failed while it
# is retried: nobody in it can answer yet, so escalate now.
HURRY = """
WITH hurried AS (
    UPDATE notifier.timers SET fires_at = now()
    WHERE activation_id = $1 AND tier = $2 AND status = 'pending'
      AND NOT EXISTS (
        SELECT 1 FROM notifier.deliveries
        WHERE activation_id = $1 AND tier = $2 AND message = 'alert'
          AND NOT (status = 'failed' AND permanent)
          AND NOT (status = 'claimed' AND failing_report_id IS NOT NULL))
    RETURNING 1
)
SELECT count(*) FROM hurried, LATERAL (SELECT pg_notify($3, $4)) AS woken
"""


class DueTimer(msgspec.Struct, frozen=True, kw_only=True):
    activation_id: UUID
    tier: int


async def start(conn: Connection, activation_id: UUID, tier: int, fires_at: datetime) -> None:
    await conn.fetchval(START, activation_id, tier, fires_at, WORK_CHANNEL, WAKE_TIMER)


async def cancel(conn: Executor, activation_id: UUID) -> None:
    await conn.execute(CANCEL, activation_id)


async def due(conn: Connection, now: datetime, limit: int = 20) -> list[DueTimer]:
    """Due timers, locked for this transaction (others skip them)."""
    rows = await conn.fetch(DUE, now, limit)
    return [DueTimer(activation_id=row["activation_id"], tier=row["tier"]) for row in rows]


async def fire(conn: Connection, timer: DueTimer, report_id: UUID | None) -> None:
    """The timer fired; ``report_id`` names the escalation to report (None: nothing to report)."""
    await conn.execute(FIRE, timer.activation_id, timer.tier, report_id)


async def retire(conn: Connection, timer: DueTimer) -> None:
    """The timer came due on an activation already answered: it pages nobody."""
    await conn.execute(RETIRE, timer.activation_id, timer.tier)


async def hurry_if_tier_failed(conn: Executor, activation_id: UUID, tier: int) -> bool:
    """Bring the tier's timer forward when all its alerts failed (for good, or for now
    long enough to count as failed); True if so."""
    return bool(await conn.fetchval(HURRY, activation_id, tier, WORK_CHANNEL, WAKE_TIMER))
