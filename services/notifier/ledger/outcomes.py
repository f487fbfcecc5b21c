"""Recording how a send ended: sent, failed (for now or for good) or skipped.

Each finished delivery wakes the reporter (its NOTIFY is in the same statement), and a
finished claim is never finished again: a second record of the same send changes nothing.
"""

from datetime import UTC, datetime
from uuid import UUID

import msgspec

from notifier.channels.base import DeliveryOutcome
from notifier.ledger.sessions import WAKE_REPORT, WORK_CHANNEL, Connection, Executor

# A finished send wakes the workers too (the reporter has news), in the same round trip.
FINISH = """
WITH finished AS (
    UPDATE notifier.deliveries SET status = $2, permanent = $3, reason = $4,
        attempts = attempts + $5, finished_at = now(), lease_until = NULL
    WHERE delivery_id = $1 AND status = 'claimed'
    RETURNING 1
)
SELECT count(*) FROM finished, LATERAL (SELECT pg_notify($6, $7)) AS woken
"""
# An alert sent, in one statement: its activation's row is updated first (the lock orders it
# against a resolve, which updates that row too), the first alert's time is set once, and
# the delivery is finished, waking the reporter, only while the activation is not resolved.
# No row back: the activation is resolved or unknown, nothing was written, and the caller
# records the alert in a transaction that owes its all-clear.
ALERT_SENT = """
WITH activation AS (
    UPDATE notifier.activations
    SET first_delivered_at = CASE WHEN status = 'resolved' THEN first_delivered_at
                                  ELSE coalesce(first_delivered_at, $7::timestamptz) END
    WHERE activation_id = $8
    RETURNING status, first_delivered_at = $7::timestamptz AS first,
        extract(epoch FROM $7::timestamptz - (snapshot->>'at')::timestamptz)::float8 AS seconds
), finished AS (
    UPDATE notifier.deliveries SET status = 'sent', permanent = $2, reason = $3,
        attempts = attempts + $4, finished_at = now(), lease_until = NULL
    WHERE delivery_id = $1 AND status = 'claimed'
      AND EXISTS (SELECT FROM activation WHERE status <> 'resolved')
    RETURNING 1
), woken AS (
    SELECT pg_notify($5, $6) FROM finished
)
SELECT first, seconds, (SELECT count(*) FROM woken) AS woken FROM activation
WHERE status <> 'resolved'
"""  # woken is read so that its NOTIFY runs: PostgreSQL skips a SELECT CTE nobody reads
# Set once per activation: only the first alert sent finds it empty.
FIRST_ALERT_SENT = """
UPDATE notifier.activations SET first_delivered_at = clock_timestamp()
WHERE activation_id = $1 AND first_delivered_at IS NULL
RETURNING extract(epoch FROM clock_timestamp() - (snapshot->>'at')::timestamptz)::float8
"""


class AlertRecorded(msgspec.Struct, frozen=True, kw_only=True):
    first_after_seconds: float | None
    """Seconds from the activation to this alert, when it is the activation's first sent."""


async def finish(conn: Executor, delivery_id: UUID, outcome: DeliveryOutcome) -> None:
    status = "sent" if outcome.sent else "failed"
    await conn.fetchval(
        FINISH,
        delivery_id,
        status,
        outcome.permanent,
        outcome.reason,
        outcome.attempts,
        WORK_CHANNEL,
        WAKE_REPORT,
    )


async def skip(conn: Executor, delivery_id: UUID, reason: str) -> None:
    await conn.fetchval(FINISH, delivery_id, "skipped", False, reason, 0, WORK_CHANNEL, WAKE_REPORT)


async def record_alert_sent(
    conn: Executor, delivery_id: UUID, activation_id: UUID, outcome: DeliveryOutcome
) -> AlertRecorded | None:
    """Finish a sent alert in one statement; None, writing nothing, when its activation is
    resolved (or unknown): then record it with ``finish`` in a transaction that locks the
    activation (``activations.lock_activation``) and claims the all-clear it owes."""
    row = await conn.fetchrow(
        ALERT_SENT,
        delivery_id,
        outcome.permanent,
        outcome.reason,
        outcome.attempts,
        WORK_CHANNEL,
        WAKE_REPORT,
        datetime.now(UTC),
        activation_id,
    )
    if row is None:
        return None
    return AlertRecorded(first_after_seconds=row["seconds"] if row["first"] else None)


async def first_alert_sent(conn: Connection, activation_id: UUID) -> float | None:
    """Seconds since the activation when this is its first alert sent; None after that."""
    seconds: float | None = await conn.fetchval(FIRST_ALERT_SENT, activation_id)
    return seconds
