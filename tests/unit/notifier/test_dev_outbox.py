"""The development outbox: a JSON line per message, and a terminal line that discloses nothing."""

from pathlib import Path
from uuid import UUID

from common.channels import dev_outbox
from contracts.vocabulary import ChannelKind
from notifier.channels.base import OutboundMessage
from notifier.channels.dev_outbox import DevOutboxAdapter

DELIVERY = UUID("0190b6b2-9f6e-7c3a-8d41-1f2e3d4c5b6a")
READ_AT = "http://127.0.0.1:8000/dev/outbox"


def message(
    channel: ChannelKind = ChannelKind.EMAIL, address: str = "dana@example.com"
) -> OutboundMessage:
    return OutboundMessage(
        delivery_id=DELIVERY,
        channel=channel,
        address=address,
        subject="Alex asked for help",
        text="Alex needs you tonight.",
        payload={"kind": "alert"},
        webhook_secret="whsec_c2VjcmV0",
    )


async def test_each_message_is_a_line_in_a_file_created_with_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "dev" / "outbox.jsonl"
    echoed: list[str] = []
    adapter = DevOutboxAdapter(path, read_at=READ_AT, echo=echoed.append)

    first = await adapter.send(message())
    await adapter.send(message(ChannelKind.SMS, "+15551234567"))

    assert (first.sent, first.permanent, first.attempts) == (True, False, 1)
    stored = dev_outbox.read(path)
    assert [entry["channel"] for entry in stored] == ["email", "sms"]
    assert stored[0]["delivery_id"] == str(DELIVERY)
    assert stored[0]["text"] == "Alex needs you tonight."
    assert stored[0]["payload"] == {"kind": "alert"}
    assert "webhook_secret" not in stored[0]
    assert echoed == [
        "[dev outbox] an e-mail was queued, not sent: read it at http://127.0.0.1:8000/dev/outbox",
        "[dev outbox] an SMS was queued, not sent: read it at http://127.0.0.1:8000/dev/outbox",
    ]


async def test_the_terminal_line_holds_no_address_name_or_text(tmp_path: Path) -> None:
    echoed: list[str] = []
    adapter = DevOutboxAdapter(tmp_path / "outbox.jsonl", read_at=READ_AT, echo=echoed.append)

    await adapter.send(message())
    await adapter.send(message(ChannelKind.SMS, "+15551234567"))

    shown = "\n".join(echoed)
    for private in ("dana@example.com", "+15551234567", "Alex", "needs you", "whsec_"):
        assert private not in shown


async def test_echo_can_be_turned_off(tmp_path: Path) -> None:
    adapter = DevOutboxAdapter(tmp_path / "outbox.jsonl", read_at=READ_AT, echo=None)
    outcome = await adapter.send(message())
    assert outcome.sent
