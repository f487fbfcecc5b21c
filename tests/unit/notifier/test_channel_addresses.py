"""Addresses checked before anything is sent: phone numbers and the e-mail itself."""

from uuid import UUID

import pytest

from common.channels.addresses import phone_number
from contracts.vocabulary import ChannelKind
from notifier.channels.base import OutboundMessage
from notifier.channels.email import build_email

DELIVERY = UUID("0190b6b2-9f6e-7c3a-8d41-1f2e3d4c5b6a")


@pytest.mark.parametrize(
    ("number", "e164"),
    [
        ("+15551234567", "+15551234567"),
        (" +1 (555) 123-4567 ", "+15551234567"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+49.30.1234567", "+49301234567"),
    ],
)
def test_phone_numbers_are_sent_in_e164(number: str, e164: str) -> None:
    assert phone_number(number) == e164


@pytest.mark.parametrize(
    "number", ["5551234567", "+0123456", "+1555123456789012", "+1 555 CALL NOW", "", "+"]
)
def test_numbers_that_are_not_e164_are_refused(number: str) -> None:
    assert phone_number(number) is None


def test_an_email_is_plain_text_with_a_stable_message_id_and_one_line_subject() -> None:
    message = OutboundMessage(
        delivery_id=DELIVERY,
        channel=ChannelKind.EMAIL,
        address="dana@example.com",
        subject="Alex asked for help\r\nBcc: everyone@example.com",
        text="Alex needs you. Call +1 555 0100.",
        payload={},
    )
    mail = build_email(message, "Tandem <alerts@tandem.invalid>")
    assert mail["Message-ID"] == f"<{DELIVERY}@tandem>"
    assert mail["Subject"] == "Alex asked for help Bcc: everyone@example.com"
    assert mail["Bcc"] is None
    assert mail.get_content_type() == "text/plain"
    assert mail.get_content().strip() == "Alex needs you. Call +1 555 0100."
