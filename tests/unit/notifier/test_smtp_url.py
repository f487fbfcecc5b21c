"""TANDEM_SMTP_URL: scheme chooses the security, credentials are optional."""

import pytest

from notifier.channels.email import InvalidSmtpUrl, SmtpSecurity, SmtpSettings, parse_smtp_url


@pytest.mark.parametrize(
    ("url", "settings"),
    [
        (
            "smtp://mail.example.com",
            SmtpSettings(host="mail.example.com", port=25, security=SmtpSecurity.PLAIN),
        ),
        (
            "smtp://127.0.0.1:2525",
            SmtpSettings(host="127.0.0.1", port=2525, security=SmtpSecurity.PLAIN),
        ),
        (
            "smtp+starttls://mail.example.com",
            SmtpSettings(host="mail.example.com", port=587, security=SmtpSecurity.STARTTLS),
        ),
        (
            "smtps://mail.example.com",
            SmtpSettings(host="mail.example.com", port=465, security=SmtpSecurity.TLS),
        ),
        (
            "SMTPS://mail.example.com:2465",
            SmtpSettings(host="mail.example.com", port=2465, security=SmtpSecurity.TLS),
        ),
    ],
)
def test_scheme_and_port(url: str, settings: SmtpSettings) -> None:
    assert parse_smtp_url(url) == settings


def test_credentials_are_percent_decoded() -> None:
    settings = parse_smtp_url(
        "smtp+starttls://alerts%40tandem.app:p%40ss%3Aw0rd@mail.example.com:587"
    )
    assert settings.username == "alerts@tandem.app"
    assert settings.password == "p@ss:w0rd"


def test_the_password_never_shows_in_the_repr() -> None:
    settings = parse_smtp_url("smtps://user:hunter2@mail.example.com")
    assert "hunter2" not in repr(settings)


def test_an_ipv6_host_is_read_without_brackets() -> None:
    assert parse_smtp_url("smtp://[::1]:2525").host == "::1"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://mail.example.com", "must start with smtp://"),
        ("mail.example.com:25", "must start with smtp://"),
        ("", "must start with smtp://"),
        ("smtp://", "has no host"),
        ("smtp://user:secret@mail.example.com:port", "malformed"),
        ("smtp://:secret@mail.example.com", "password but no user name"),
    ],
)
def test_unusable_urls_say_why_without_repeating_the_url(url: str, message: str) -> None:
    with pytest.raises(InvalidSmtpUrl, match=message) as error:
        parse_smtp_url(url)
    assert "secret" not in str(error.value)
