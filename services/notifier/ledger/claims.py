"""Claiming deliveries: one row per (recipient, channel, message) under its unique claim key.

A delivery is claimed in the same transaction that decides it, with its message rendered
then and kept, so any resend is identical. The message keeps a slot where each signed link
goes, never the link: the sender puts it in (``notifier.alerting.links``). Claiming what is
claimed already changes nothing: a redelivered event or a replay claims nothing new.
"""

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

import msgspec

from common.ids import new_id
from contracts.vocabulary import Channel, ChannelKind
from notifier import correlation
from notifier.domain.alert_text import Rendered
from notifier.domain.deliveries import PlannedDelivery
from notifier.ledger.sessions import WAKE_SEND, WORK_CHANNEL, Connection, Executor

NEXT_SEQUENCES = """
UPDATE notifier.activations SET sequence = sequence + $2 WHERE activation_id = $1
RETURNING sequence
"""
# New claims wake the workers (with their NOTIFY at commit) in the same round trip.
CLAIM = """
WITH claimed AS (
    INSERT INTO notifier.deliveries (delivery_id, claim_key, plan_id, activation_id,
        recipient_id, recipient_name, channel_kind, address, tier, message, sequence, subject,
        body, payload, about, request_id, correlation_id)
    SELECT d, k, p, a, r, n, c, ad, t, m, s, su, b, pl::jsonb, ab, rq, $17
    FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[],
        $7::text[], $8::text[], $9::int[], $10::text[], $11::int[], $12::text[], $13::text[],
        $14::text[], $15::uuid[], $16::uuid[]) AS x(d, k, p, a, r, n, c, ad, t, m, s, su, b, pl,
        ab, rq)
    ON CONFLICT (claim_key) DO NOTHING
    RETURNING delivery_id
), woken AS (
    SELECT pg_notify($18, $19) FROM (SELECT 1 FROM claimed LIMIT 1) AS any_claimed
)
SELECT delivery_id FROM claimed LEFT JOIN woken ON true
"""
# An alert to a person since erased (its key blanked, notifier.ledger.erasure) is owed nothing.
ALERTED = """
SELECT recipient_id, channel_kind, address FROM notifier.deliveries
WHERE activation_id = $1 AND message = 'alert' AND status = 'sent'
  AND claim_key NOT LIKE 'erased:%'
"""

Render = Callable[[PlannedDelivery, int], Rendered]  # (delivery, its sequence) → the words


async def claim(conn: Connection, planned: Sequence[PlannedDelivery], render: Render) -> int:
    """Claim each planned delivery not claimed before; return how many are new.

    The message is rendered now and kept with the claim, so any resend is identical. The
    claims carry the correlation id bound to the work in hand.
    """
    if not planned:
        return 0
    sequences = await _sequences(conn, planned)
    rows = [
        _row(delivery, sequence, render(delivery, sequence))
        for delivery, sequence in zip(planned, sequences, strict=True)
    ]
    columns = [list(column) for column in zip(*rows, strict=True)]
    inserted = await conn.fetch(CLAIM, *columns, correlation.current(), WORK_CHANNEL, WAKE_SEND)
    return len(inserted)


def _row(delivery: PlannedDelivery, sequence: int, rendered: Rendered) -> tuple[Any, ...]:
    """One claim's values, in the order of ``CLAIM``'s arrays ($1 to $16)."""
    return (
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
        delivery.about,
        delivery.request_id,
    )


async def _sequences(conn: Connection, planned: Sequence[PlannedDelivery]) -> list[int]:
    """Per-activation sequence numbers, so a receiver can order messages it got out of order."""
    activation_id = planned[0].activation_id
    if activation_id is None or any(p.activation_id != activation_id for p in planned):
        return [0] * len(planned)
    last = await conn.fetchval(NEXT_SEQUENCES, activation_id, len(planned))
    if last is None:
        return [0] * len(planned)
    return list(range(last - len(planned) + 1, last + 1))


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
