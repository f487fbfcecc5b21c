"""E-mail over SMTP (aiosmtplib), configured by one URL, ``TANDEM_SMTP_URL``.

- ``smtp://[user:pass@]host[:port]``: plain SMTP (port 25), no TLS;
- ``smtp+starttls://…``: upgraded with STARTTLS (port 587), which must succeed;
- ``smtps://…``: TLS from the first byte (port 465).

User name and password are percent-decoded. Every message is plain text with
``Message-ID: <{delivery_id}@tandem>``, built once so retries send the same message and
mail clients can tell a repeat. SMTP 4xx, timeouts and lost connections are retried;
5xx is a permanent failure.
"""

import asyncio
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from enum import StrEnum
from urllib.parse import unquote, urlsplit

import aiosmtplib

from notifier.channels.base import DeliveryOutcome, OutboundMessage, refused_before_trying
from notifier.channels.retry import (
    SENT,
    Attempt,
    RetryPolicy,
    deliver_with_retries,
    permanent,
    transient,
)
from notifier.settings import DEV_EMAIL_FROM

_ADDRESS = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+")


class SmtpSecurity(StrEnum):
    PLAIN = "plain"
    STARTTLS = "starttls"
    TLS = "tls"


_SCHEMES = {
    "smtp": (SmtpSecurity.PLAIN, 25),
    "smtp+starttls": (SmtpSecurity.STARTTLS, 587),
    "smtps": (SmtpSecurity.TLS, 465),
}


class InvalidSmtpUrl(ValueError):
    """``TANDEM_SMTP_URL`` cannot be used; the message never repeats the URL (or password)."""


@dataclass(frozen=True, kw_only=True)
class SmtpSettings:
    host: str
    port: int
    security: SmtpSecurity
    username: str | None = None
    password: str | None = field(default=None, repr=False)


def parse_smtp_url(url: str) -> SmtpSettings:
    """``smtp[+starttls]://`` or ``smtps://`` with optional credentials and port."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise InvalidSmtpUrl("TANDEM_SMTP_URL is malformed (check the port)") from error
    scheme = _SCHEMES.get(parts.scheme.lower())
    if scheme is None:
        raise InvalidSmtpUrl(
            "TANDEM_SMTP_URL must start with smtp://, smtp+starttls:// or smtps://"
        )
    if not parts.hostname:
        raise InvalidSmtpUrl("TANDEM_SMTP_URL has no host")
    if parts.password is not None and not parts.username:
        raise InvalidSmtpUrl("TANDEM_SMTP_URL has a password but no user name")
    security, default_port = scheme
    return SmtpSettings(
        host=parts.hostname,
        port=port or default_port,
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def build_email(message: OutboundMessage, sender: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.address
    mail["Subject"] = " ".join(message.subject.split())  # one line, whatever came in
    mail["Date"] = format_datetime(datetime.now(UTC))
    mail["Message-ID"] = f"<{message.delivery_id}@tandem>"
    mail.set_content(message.text)
    return mail


class EmailAdapter:
    """Sends ``OutboundMessage.text`` to the e-mail address in ``address``."""

    def __init__(
        self,
        smtp_url: str,
        *,
        sender: str = DEV_EMAIL_FROM,
        timeout: float = 10.0,
        policy: RetryPolicy | None = None,
    ) -> None:
        self._settings = parse_smtp_url(smtp_url)
        self._sender = sender
        self._envelope_sender = parseaddr(sender)[1]
        self._timeout = timeout
        self._policy = policy or RetryPolicy()

    async def send(self, message: OutboundMessage) -> DeliveryOutcome:
        if not _ADDRESS.fullmatch(message.address):
            return refused_before_trying("invalid e-mail address")
        mail = build_email(message, self._sender)
        return await deliver_with_retries(
            lambda: self._try_once(mail, message.address), self._policy
        )

    async def _try_once(self, mail: EmailMessage, recipient: str) -> Attempt:
        settings = self._settings
        try:
            # aiosmtplib's timeout bounds each step; this one bounds the whole exchange.
            async with asyncio.timeout(self._timeout):
                await aiosmtplib.send(
                    mail,
                    sender=self._envelope_sender,
                    recipients=[recipient],
                    hostname=settings.host,
                    port=settings.port,
                    username=settings.username,
                    password=settings.password,
                    use_tls=settings.security is SmtpSecurity.TLS,
                    start_tls=settings.security is SmtpSecurity.STARTTLS,
                    timeout=self._timeout,
                )
        except aiosmtplib.SMTPRecipientsRefused as error:
            return _by_code(error.recipients[0].code if error.recipients else -1)
        except aiosmtplib.SMTPResponseException as error:
            return _by_code(error.code)
        except TimeoutError:  # aiosmtplib's timeouts are TimeoutErrors too
            return transient("timeout")
        except aiosmtplib.SMTPNotSupported:
            return permanent("smtp server lacks a required feature")
        except OSError:  # refused, reset, disconnected, TLS failures
            return transient("connection error")
        except aiosmtplib.SMTPException:
            return transient("smtp error")
        return SENT


def _by_code(code: int) -> Attempt:
    """SMTP replies: 5xx is final, anything else may pass on a later try."""
    reason = f"smtp {code}"
    return permanent(reason) if 500 <= code < 600 else transient(reason)  # noqa: PLR2004
