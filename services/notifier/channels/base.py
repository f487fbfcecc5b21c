"""What every channel adapter takes and returns.

The delivery's ledger claim id travels as ``delivery_id`` and is the idempotency key on
every channel (``webhook-id``, ``Message-ID``, ``Idempotency-Key``), so a retry or a
redelivered message can be recognised as the same alert by whoever receives it.
"""

from typing import Any, Protocol
from uuid import UUID

import msgspec

from contracts.vocabulary import ChannelKind


class OutboundMessage(msgspec.Struct, frozen=True, kw_only=True):
    """One alert to one address on one channel, ready to send."""

    delivery_id: UUID
    channel: ChannelKind
    address: str
    subject: str
    text: str
    payload: dict[str, Any]
    webhook_secret: str | None = None


class DeliveryOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """How a send ended.

    ``reason`` is safe to store and show: it never holds an address, a secret or message
    text. ``attempts`` counts tries made; it is 0 when the message was refused before any
    try (a malformed address or secret). ``retry_after`` is the wait the receiver asked
    for (429 / ``Retry-After``, capped by the policy) when we stopped because of it.
    """

    sent: bool
    permanent: bool
    reason: str | None
    attempts: int
    retry_after: float | None = None


class ChannelAdapter(Protocol):
    async def send(self, message: OutboundMessage) -> DeliveryOutcome: ...


def refused_before_trying(reason: str) -> DeliveryOutcome:
    """A permanent failure found without touching the network."""
    return DeliveryOutcome(sent=False, permanent=True, reason=reason, attempts=0)
