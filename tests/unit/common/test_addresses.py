"""Addresses as they are saved: e-mail syntax and E.164 phone numbers."""

import pytest

from common.channels.addresses import email_address, phone_number


@pytest.mark.parametrize(
    ("text", "saved"),
    [
        ("+15551234567", "+15551234567"),
        (" +1 (555) 123-4567 ", "+15551234567"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_a_phone_number_is_saved_in_e164(text: str, saved: str) -> None:
    assert phone_number(text) == saved


@pytest.mark.parametrize(
    "text", ["call me maybe", "5551234567", "+0123456", "+1555123456789012", "+", ""]
)
def test_what_is_not_an_e164_number_is_refused(text: str) -> None:
    assert phone_number(text) is None


@pytest.mark.parametrize(
    "text", ["jo@example.org", "jo.smith+tandem@mail.example.co.uk", " jo@example.org "]
)
def test_an_email_address_is_saved_as_written(text: str) -> None:
    assert email_address(text) == text.strip()


@pytest.mark.parametrize(
    "text",
    [
        "call me maybe",
        "jo@",
        "@example.org",
        "jo@localhost",
        "jo@@example.org",
        "jo smith@example.org",
        "jo@example.org\r\nBcc: everyone@example.org",
        "<jo@example.org>",
        "jo@-example.org",
        "x" * 65 + "@example.org",
        "jo@" + "a" * 250 + ".org",
    ],
)
def test_what_is_not_an_email_address_is_refused(text: str) -> None:
    assert email_address(text) is None
