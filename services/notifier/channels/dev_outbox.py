"""A development stand-in for e-mail and SMS: messages go to a file, not to people.

``make run`` with no ``TANDEM_SMTP_URL`` or ``TANDEM_SMS_URL`` uses this adapter, so a
developer sees every alert the notifier would have sent: one JSON object per line in the
outbox file (the full message; ``common.channels.dev_outbox`` reads them back), and one line on the
terminal saying only that a message was queued and where to read it: terminal output gets
pasted into bug reports, so it never holds an address, a name or message text. It exists
for development only; production configures real channels.
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


# How the terminal line names a channel: the kind of message, nothing about its content.
_KIND_WORDS = {"email": "an e-mail", "sms": "an SMS"}


class DevOutboxAdapter:
    """Appends each message to ``path`` (creating its folder) and says so on the terminal.

    ``read_at`` is where the messages can be read (the planner's ``/dev/outbox`` page).
    """

    def __init__(
        self, path: Path, read_at: str, echo: Callable[[str], None] | None = print
    ) -> None:
        self._path = path
        self._read_at = read_at
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
            self._echo(queued_line(entry.channel, self._read_at))
        return DeliveryOutcome(sent=True, permanent=False, reason=None, attempts=1)


def queued_line(channel: str, read_at: str) -> str:
    """The terminal line for one queued message: its kind and where to read it, no more."""
    kind = _KIND_WORDS.get(channel, "a message")
    return f"[dev outbox] {kind} was queued, not sent: read it at {read_at}"


def _append(path: Path, line: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as outbox:
        outbox.write(line)
