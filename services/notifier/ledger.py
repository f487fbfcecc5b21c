"""The delivery ledger over asyncpg: activations as the notifier knows them, and claims.

A delivery is claimed (a row under its unique claim key) in the same transaction that
decides it, then sent by whichever worker leases it. The lease, not a held transaction,
keeps two workers from sending one claim at once; a crashed worker's lease lapses and the
claim is sent again under the same delivery id.
"""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
from asyncpg.pool import PoolConnectionProxy

from contracts.events import Channel, ChannelKind, MessageKind, PlanActivated
from notifier import correlation
from notifier.channels.base import DeliveryOutcome
from notifier.domain.alert_text import Rendered
from notifier.domain.deliveries import PlannedDelivery
from notifier.domain.escalation import ActivationStatus
from notifier.ids import new_id

Connection = asyncpg.Connection | PoolConnectionProxy
Executor = Connection | asyncpg.Pool

WORK_CHANNEL = "notifier_work"  # NOTIFY on new claims, finished sends and timers
# Each NOTIFY says which of the worker's loops it is for (see notifier.worker).
WAKE_SEND = "send"  # new claims to send
WAKE_REPORT = "report"  # a finished send to report
WAKE_TIMER = "timer"  # a new or hurried timer

REMEMBER = """
INSERT INTO notifier.activations (activation_id, plan_id, snapshot, correlation_id)
VALUES ($1, $2, $3::jsonb, $4)
ON CONFLICT (activation_id) DO NOTHING
"""
LOAD = """
SELECT activation_id, plan_id, snapshot::text AS snapshot, status, acknowledged_by,
    correlation_id
FROM notifier.activations WHERE activation_id = $1
"""
LOCK = LOAD.strip() + " FOR UPDATE"
# Moves only forward: triggered → acknowledged → resolved; a repeat changes nothing. Each
# returns the row it moved, so the caller needs no second look at it.
ACKNOWLEDGE = """
UPDATE notifier.activations SET status = 'acknowledged', acknowledged_by = $2, updated_at = now()
WHERE activation_id = $1 AND status = 'triggered'
RETURNING activation_id, plan_id, snapshot::text AS snapshot, status, acknowledged_by,
    correlation_id
"""
RESOLVE = """
UPDATE notifier.activations SET status = 'resolved', updated_at = now()
WHERE activation_id = $1 AND status <> 'resolved'
RETURNING activation_id, plan_id, snapshot::text AS snapshot, status, acknowledged_by,
    correlation_id
"""
NEXT_SEQUENCES = """
UPDATE notifier.activations SET sequence = sequence + $2 WHERE activation_id = $1
RETURNING sequence
"""
# New claims wake the workers (with their NOTIFY at commit) in the same round trip.
CLAIM = """
WITH claimed AS (
    INSERT INTO notifier.deliveries (delivery_id, claim_key, plan_id, activation_id,
        recipient_id, recipient_name, channel_kind, address, tier, message, sequence, subject,
        body, payload, correlation_id)
    SELECT d, k, p, a, r, n, c, ad, t, m, s, su, b, pl::jsonb, $15
    FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[],
        $7::text[], $8::text[], $9::int[], $10::text[], $11::int[], $12::text[], $13::text[],
        $14::text[]) AS x(d, k, p, a, r, n, c, ad, t, m, s, su, b, pl)
    ON CONFLICT (claim_key) DO NOTHING
    RETURNING delivery_id
), woken AS (
    SELECT pg_notify($16, $17) FROM (SELECT 1 FROM claimed LIMIT 1) AS any_claimed
)
SELECT delivery_id FROM claimed LEFT JOIN woken ON true
"""
LEASE = """
UPDATE notifier.deliveries SET lease_until = now() + $1::interval, attempts = attempts
WHERE delivery_id IN (
    SELECT delivery_id FROM notifier.deliveries
    WHERE status = 'claimed' AND (lease_until IS NULL OR lease_until < now())
    ORDER BY claimed_at LIMIT $2 FOR UPDATE SKIP LOCKED)
RETURNING delivery_id, plan_id, activation_id, recipient_id, recipient_name, channel_kind,
    address, tier, message, sequence, subject, body, payload::text AS payload, correlation_id,
    (SELECT a.status FROM notifier.activations AS a
     WHERE a.activation_id = notifier.deliveries.activation_id) AS activation_status
"""
RENEW = """
UPDATE notifier.deliveries SET lease_until = now() + $2::interval
WHERE delivery_id = $1 AND status = 'claimed'
"""
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
ALERTED = """
SELECT recipient_id, channel_kind, address FROM notifier.deliveries
WHERE activation_id = $1 AND message = 'alert' AND status = 'sent'
"""


class ActivationRecord(msgspec.Struct, frozen=True, kw_only=True):
    activation_id: UUID
    plan_id: UUID
    snapshot: PlanActivated
    status: ActivationStatus
    acknowledged_by: UUID | None
    correlation_id: UUID | None = None


class Lease(msgspec.Struct, frozen=True, kw_only=True):
    """A claimed delivery this worker may send now."""

    delivery_id: UUID
    plan_id: UUID
    activation_id: UUID | None
    recipient_id: UUID
    recipient_name: str
    channel: Channel
    tier: int
    message: MessageKind
    sequence: int
    subject: str
    body: str
    payload: dict[str, Any]
    correlation_id: UUID | None = None
    activation_status: ActivationStatus | None = None
    """The activation's state when this was leased: a drain leases only what it can send
    at once, so this is read just before the send. None without a known activation."""


Render = Callable[[PlannedDelivery, int], Rendered]  # (delivery, its sequence) → the words

_snapshot = msgspec.json.Decoder(PlanActivated)


async def remember_activation(conn: Executor, plan_id: UUID, activated: PlanActivated) -> bool:
    """Keep the activation's frozen snapshot; False when it was known already (a replay)."""
    status = await conn.execute(
        REMEMBER,
        activated.activation_id,
        plan_id,
        msgspec.json.encode(activated).decode(),
        correlation.current(),
    )
    return status.endswith(" 1")


async def load_activation(conn: Executor, activation_id: UUID) -> ActivationRecord | None:
    return _record(await conn.fetchrow(LOAD, activation_id))


async def lock_activation(conn: Connection, activation_id: UUID) -> ActivationRecord | None:
    """The activation, its row locked until the caller's transaction ends."""
    return _record(await conn.fetchrow(LOCK, activation_id))


def _record(row: asyncpg.Record | None) -> ActivationRecord | None:
    if row is None:
        return None
    return ActivationRecord(
        activation_id=row["activation_id"],
        plan_id=row["plan_id"],
        snapshot=_snapshot.decode(row["snapshot"]),
        status=ActivationStatus(row["status"]),
        acknowledged_by=row["acknowledged_by"],
        correlation_id=row["correlation_id"],
    )


async def mark_acknowledged(
    conn: Executor, activation_id: UUID, by: UUID
) -> ActivationRecord | None:
    """The activation, acknowledged now; None when it was not waiting for an answer."""
    return _record(await conn.fetchrow(ACKNOWLEDGE, activation_id, by))


async def mark_resolved(conn: Executor, activation_id: UUID) -> ActivationRecord | None:
    """The activation, resolved now; None when it was resolved already (or is unknown)."""
    return _record(await conn.fetchrow(RESOLVE, activation_id))


async def claim(conn: Connection, planned: Sequence[PlannedDelivery], render: Render) -> int:
    """Claim each planned delivery not claimed before; return how many are new.

    The message is rendered now and kept with the claim, so any resend is identical. The
    claims carry the correlation id bound to the work in hand.
    """
    if not planned:
        return 0
    sequences = await _sequences(conn, planned)
    columns: list[list[Any]] = [[] for _ in range(14)]
    for delivery, sequence in zip(planned, sequences, strict=True):
        rendered = render(delivery, sequence)
        row = (
            new_id(),
            delivery.claim_key(),
            delivery.plan_id,
            delivery.activation_id,
            delivery.recipient_id,
            delivery.recipient_name,
            delivery.channel.kind.value,
            delivery.channel.address,
            delivery.tier,
            delivery.message.value,
            sequence,
            rendered.subject,
            rendered.text,
            msgspec.json.encode(rendered.payload).decode(),
        )
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    inserted = await conn.fetch(CLAIM, *columns, correlation.current(), WORK_CHANNEL, WAKE_SEND)
    return len(inserted)


async def _sequences(conn: Connection, planned: Sequence[PlannedDelivery]) -> list[int]:
    """Per-activation sequence numbers, so a receiver can order messages it got out of order."""
    activation_id = planned[0].activation_id
    if activation_id is None or any(p.activation_id != activation_id for p in planned):
        return [0] * len(planned)
    last = await conn.fetchval(NEXT_SEQUENCES, activation_id, len(planned))
    if last is None:
        return [0] * len(planned)
    return list(range(last - len(planned) + 1, last + 1))


async def lease(conn: Executor, seconds: float, limit: int = 20) -> list[Lease]:
    rows = await conn.fetch(LEASE, timedelta(seconds=seconds), limit)
    return [
        Lease(
            delivery_id=row["delivery_id"],
            plan_id=row["plan_id"],
            activation_id=row["activation_id"],
            recipient_id=row["recipient_id"],
            recipient_name=row["recipient_name"],
            channel=Channel(kind=ChannelKind(row["channel_kind"]), address=row["address"]),
            tier=row["tier"],
            message=MessageKind(row["message"]),
            sequence=row["sequence"],
            subject=row["subject"],
            body=row["body"],
            payload=msgspec.json.decode(row["payload"]),
            correlation_id=row["correlation_id"],
            activation_status=_status(row["activation_status"]),
        )
        for row in rows
    ]


def _status(value: str | None) -> ActivationStatus | None:
    return None if value is None else ActivationStatus(value)


async def renew(conn: Executor, delivery_id: UUID, seconds: float) -> None:
    """Extend the lease of a claim still being sent."""
    await conn.execute(RENEW, delivery_id, timedelta(seconds=seconds))


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


class AlertRecorded(msgspec.Struct, frozen=True, kw_only=True):
    first_after_seconds: float | None
    """Seconds from the activation to this alert, when it is the activation's first sent."""


async def record_alert_sent(
    conn: Executor, delivery_id: UUID, activation_id: UUID, outcome: DeliveryOutcome
) -> AlertRecorded | None:
    """Finish a sent alert in one statement; None, writing nothing, when its activation is
    resolved (or unknown): then record it with ``finish`` in a transaction that locks the
    activation (``lock_activation``) and claims the all-clear it owes."""
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


async def alerted(conn: Executor, activation_id: UUID) -> list[tuple[UUID, Channel]]:
    """The (recipient, channel) pairs an alert of this activation was sent to."""
    rows = await conn.fetch(ALERTED, activation_id)
    return [
        (
            row["recipient_id"],
            Channel(kind=ChannelKind(row["channel_kind"]), address=row["address"]),
        )
        for row in rows
    ]


UNREPORTED = """
SELECT delivery_id, plan_id, activation_id, recipient_id, channel_kind, tier, message, status,
    reason, attempts, finished_at, correlation_id
FROM notifier.deliveries
WHERE reported_at IS NULL AND status IN ('sent', 'failed')
ORDER BY finished_at LIMIT $1
"""
MARK_REPORTED = """
UPDATE notifier.deliveries SET reported_at = now() WHERE delivery_id = ANY($1::uuid[])
"""


async def unreported(conn: Executor, limit: int = 100) -> list[asyncpg.Record]:
    """Finished deliveries the planner has not been told of yet."""
    return list(await conn.fetch(UNREPORTED, limit))


async def mark_reported(conn: Executor, delivery_ids: list[UUID]) -> None:
    await conn.execute(MARK_REPORTED, delivery_ids)
