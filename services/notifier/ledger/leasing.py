"""Leasing claims to send: a claim is sent by whichever worker holds its lease.

A lease is a time limit on the claim's row, not a held transaction: a worker that dies
while sending leaves a lease that lapses (or that a live notifier frees at once, see
``presence``), and the claim is leased again and sent under the same delivery id.
``FOR UPDATE SKIP LOCKED`` keeps two workers from leasing one claim. A claim whose last
round failed for now waits for its ``next_attempt_at``; new claims go first.
"""

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from contracts.vocabulary import Channel, ChannelKind, MessageKind
from notifier.domain.escalation import ActivationStatus
from notifier.ledger.sessions import Executor

LEASE = """
UPDATE notifier.deliveries SET lease_until = now() + $1::interval, lease_holder = $3
WHERE delivery_id IN (
    SELECT delivery_id FROM notifier.deliveries
    WHERE status = 'claimed' AND (lease_until IS NULL OR lease_until < now())
      AND (next_attempt_at IS NULL OR next_attempt_at <= coalesce($4::timestamptz, now()))
    ORDER BY next_attempt_at NULLS FIRST, claimed_at LIMIT $2 FOR UPDATE SKIP LOCKED)
RETURNING delivery_id, plan_id, activation_id, recipient_id, recipient_name, channel_kind,
    address, tier, message, sequence, subject, body, payload::text AS payload, correlation_id,
    (SELECT a.status FROM notifier.activations AS a
     WHERE a.activation_id = notifier.deliveries.activation_id) AS activation_status,
    failed_rounds, failing_since, failing_report_id IS NOT NULL AS failing
"""
RENEW = """
UPDATE notifier.deliveries SET lease_until = now() + $2::interval
WHERE delivery_id = $1 AND status = 'claimed'
"""
# The earliest round due after ``now``: the sending loop sleeps until then, not longer.
NEXT_DUE = """
SELECT min(next_attempt_at) FROM notifier.deliveries
WHERE status = 'claimed' AND next_attempt_at > $1
"""


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
    at once, so this is read just before the send (before every retry, too). None without
    a known activation."""
    failed_rounds: int = 0
    """Rounds of tries that failed before this one."""
    failing_since: datetime | None = None
    """When the first of them failed; None if none did."""
    failing: bool = False
    """It failed long enough to count as failed already (and the planner is told so)."""


async def lease(
    conn: Executor,
    seconds: float,
    limit: int = 20,
    *,
    holder: int | None = None,
    now: datetime | None = None,
) -> list[Lease]:
    """Lease up to ``limit`` claims due by ``now`` (the database's clock if None), stamped
    with ``holder`` (see ``presence``)."""
    rows = await conn.fetch(LEASE, timedelta(seconds=seconds), limit, holder, now)
    return [_lease(row) for row in rows]


async def next_due(conn: Executor, now: datetime) -> datetime | None:
    """When the earliest claim waiting for its next round is due; None if none waits."""
    due: datetime | None = await conn.fetchval(NEXT_DUE, now)
    return due


def _lease(row: asyncpg.Record) -> Lease:
    """``LEASE`` returns a column per field of ``Lease``, but the channel's two."""
    fields = dict(row)
    kind, address = ChannelKind(fields.pop("channel_kind")), fields.pop("address")
    fields.update(
        channel=Channel(kind=kind, address=address),
        message=MessageKind(fields["message"]),
        payload=msgspec.json.decode(fields["payload"]),
        activation_status=_status(fields["activation_status"]),
    )
    return Lease(**fields)


def _status(value: str | None) -> ActivationStatus | None:
    return None if value is None else ActivationStatus(value)


async def renew(conn: Executor, delivery_id: UUID, seconds: float) -> None:
    """Extend the lease of a claim still being sent."""
    await conn.execute(RENEW, delivery_id, timedelta(seconds=seconds))
