"""A development stand-in for e-mail and SMS: messages go to a file, not to people.

``make run`` with no ``TANDEM_SMTP_URL`` or ``TANDEM_SMS_URL`` uses this adapter, so a
developer sees every alert the notifier would have sent: one JSON object per line in the
outbox file (the full message; ``common.dev_outbox`` reads them back), and one line on the
terminal (channel, address, subject). It exists for development only; production
configures real channels.
"""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from notifier.channels.base import DeliveryOutcome, OutboundMessage


class OutboxEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One line of the outbox file. The webhook secret is deliberately left out."""

    at: datetime
    delivery_id: str
    channel: str
    address: str
    subject: str
    text: str
    payload: dict[str, Any]


class DevOutboxAdapter:
    """Appends each message to ``path`` (creating its folder) and echoes a summary."""

    def __init__(self, path: Path, echo: Callable[[str], None] | None = print) -> None:
        self._path = path
        self._echo = echo
        self._lock = asyncio.Lock()

    async def send(self, message: OutboundMessage) -> DeliveryOutcome:
        entry = OutboxEntry(
            at=datetime.now(UTC),
            delivery_id=str(message.delivery_id),
            channel=str(message.channel),
            address=message.address,
            subject=message.subject,
            text=message.text,
            payload=message.payload,
        )
        line = msgspec.json.encode(entry) + b"\n"
        async with self._lock:  # one writer at a time keeps lines whole
            await asyncio.to_thread(_append, self._path, line)
        if self._echo is not None:
            self._echo(f"[dev outbox] {entry.channel} to {entry.address}: {entry.subject}")
        return DeliveryOutcome(sent=True, permanent=False, reason=None, attempts=1)


def _append(path: Path, line: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as outbox:
        outbox.write(line)
