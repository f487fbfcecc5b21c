"""TANDEM_EMAIL_FROM: the From of every e-mail, needed with SMTP, checked at start."""

import pytest

from notifier.settings import DEV_EMAIL_FROM, SettingsError, from_env

BASE = {
    "TANDEM_DATABASE_URL": "postgresql:///tandem",
    "TANDEM_NATS_URL": "nats://127.0.0.1:4222",
    "TANDEM_SECRET_KEY": "k",
}
SMTP = {"TANDEM_SMTP_URL": "smtp://mail.example.org"}


@pytest.mark.parametrize(
    ("configured", "used"),
    [
        ("alerts@example.org", "alerts@example.org"),
        ("Tandem <alerts@example.org>", "Tandem <alerts@example.org>"),
        ("  Tandem alerts   <alerts@example.org> ", "Tandem alerts <alerts@example.org>"),
    ],
)
def test_the_configured_sender_is_used(configured: str, used: str) -> None:
    settings = from_env({**BASE, **SMTP, "TANDEM_EMAIL_FROM": configured})
    assert settings.email_from == used


@pytest.mark.parametrize(
    "configured",
    [
        "call me maybe",
        "alerts@localhost",
        "a@example.org, b@example.org",
        "Tandem <alerts@example.org",
        "Tandem\r\nBcc: x@example.org <alerts@example.org>",
        "<>",
    ],
)
def test_a_sender_that_is_not_one_address_stops_the_start(configured: str) -> None:
    with pytest.raises(SettingsError, match="TANDEM_EMAIL_FROM must be one e-mail address"):
        from_env({**BASE, "TANDEM_EMAIL_FROM": configured})


def test_smtp_without_a_sender_stops_the_start() -> None:
    with pytest.raises(SettingsError, match="TANDEM_EMAIL_FROM is needed with TANDEM_SMTP_URL"):
        from_env({**BASE, **SMTP})


def test_without_smtp_the_dev_sender_is_marked_as_such() -> None:
    assert from_env(BASE).email_from == DEV_EMAIL_FROM
    assert DEV_EMAIL_FROM.endswith(".invalid>")
