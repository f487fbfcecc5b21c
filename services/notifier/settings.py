"""The notifier's settings, from TANDEM_* variables (the same names the planner reads)."""

import os
import re
from datetime import timedelta
from email.utils import formataddr
from pathlib import Path

import msgspec

from common.channels.addresses import email_address
from common.retention import streams as retention
from common.retention.streams import DEFAULT_MAX_AGE_DAYS
from notifier.domain.alert_text import DEFAULT_CRISIS_RESOURCES
from notifier.domain.retrying import RetrySchedule

TRUE = {"1", "true", "yes", "on"}
DEFAULT_STATUS_PORT = 8001
MAX_PORT = 65535
# The From of e-mail when no SMTP server is configured: only the dev outbox sees it. A
# `.invalid` domain (RFC 2606) can never be mistaken for a real sender.
DEV_EMAIL_FROM = "Tandem <alerts@tandem.invalid>"
# "alerts@example.org" or "Tandem <alerts@example.org>": one address, on one line.
_SENDER = re.compile(r'(?:(?P<name>[^<>\r\n",;]*?)\s*<(?P<address>[^<>\s]+)>|(?P<bare>[^<>\s]+))')


class NotifierSettings(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str
    nats_url: str
    secret_key: bytes  # the service secret: ack links and webhook secrets are derived from it
    public_url: str  # where acknowledge and consent links point (the planner's API)
    smtp_url: str | None = None
    sms_url: str | None = None
    sms_token: str | None = None
    email_from: str = DEV_EMAIL_FROM  # the From of every e-mail (TANDEM_EMAIL_FROM)
    dev_outbox: Path | None = None  # e-mail and SMS land here when SMTP / SMS are not set
    allow_private_webhooks: bool = False
    crisis_resources: str = DEFAULT_CRISIS_RESOURCES
    ack_link_seconds: int = 7 * 24 * 3600
    max_deliveries: int = 5  # NATS deliveries of one message before it is dead-lettered
    ack_wait_seconds: float = 30.0
    lease_seconds: float = 60.0  # a claim whose sender died is sent again after this
    consumer_name: str = "notifier"
    stream_max_age_days: int = (
        DEFAULT_MAX_AGE_DAYS  # TANDEM_STREAM_MAX_AGE_DAYS (common.retention.streams)
    )
    # One round of a send: a few quick tries by the channel adapter (0.5 s, 1 s apart; tests
    # shorten it). A round that fails for now is tried again on the ledger's schedule
    # (notifier.domain.retrying), for as long as the delivery is wanted.
    retry_base_delay: float = 0.5
    retry_attempts: int = 3
    retry_deadline: float = 10.0  # no new try of a round starts later than this
    failing_after_seconds: float = 90.0  # still failing after this: counts as failed
    give_up_after_seconds: float = 7 * 24 * 3600.0  # when the ack link it carries expires
    status_host: str = "127.0.0.1"  # /healthz, /readyz and /metrics
    status_port: int = 0  # 0: a free port; from_env gives 8001 unless TANDEM_NOTIFIER_PORT

    def retry_schedule(self) -> RetrySchedule:
        return RetrySchedule(
            failing_after=timedelta(seconds=self.failing_after_seconds),
            give_up_after=timedelta(seconds=self.give_up_after_seconds),
        )


class SettingsError(ValueError):
    """A setting that cannot be used; the message names the variable."""


def from_env(environ: dict[str, str] | None = None) -> NotifierSettings:
    env = dict(os.environ if environ is None else environ)
    missing = [
        name
        for name in ("TANDEM_DATABASE_URL", "TANDEM_NATS_URL", "TANDEM_SECRET_KEY")
        if not env.get(name)
    ]
    if missing:
        raise SettingsError(f"the notifier needs {', '.join(missing)}")
    outbox = env.get("TANDEM_DEV_OUTBOX")
    smtp_url = env.get("TANDEM_SMTP_URL") or None
    return NotifierSettings(
        database_url=env["TANDEM_DATABASE_URL"],
        nats_url=env["TANDEM_NATS_URL"],
        secret_key=env["TANDEM_SECRET_KEY"].encode(),
        public_url=env.get("TANDEM_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
        smtp_url=smtp_url,
        email_from=_email_from(env.get("TANDEM_EMAIL_FROM", ""), smtp=smtp_url is not None),
        sms_url=env.get("TANDEM_SMS_URL") or None,
        sms_token=env.get("TANDEM_SMS_TOKEN") or None,
        dev_outbox=Path(outbox) if outbox else None,
        allow_private_webhooks=env.get("TANDEM_WEBHOOK_ALLOW_PRIVATE", "").lower() in TRUE,
        crisis_resources=env.get("TANDEM_CRISIS_RESOURCES") or DEFAULT_CRISIS_RESOURCES,
        lease_seconds=_seconds(env, "TANDEM_NOTIFIER_LEASE_SECONDS", 60.0),
        retry_base_delay=_seconds(env, "TANDEM_NOTIFIER_RETRY_BASE_DELAY", 0.5),
        failing_after_seconds=_seconds(env, "TANDEM_NOTIFIER_FAILING_AFTER_SECONDS", 90.0),
        status_port=_port(env, "TANDEM_NOTIFIER_PORT", DEFAULT_STATUS_PORT),
        stream_max_age_days=_max_age_days(env),
    )


def _max_age_days(env: dict[str, str]) -> int:
    try:
        return retention.max_age_days(env)
    except retention.MaxAgeError as error:
        raise SettingsError(str(error)) from None


def _email_from(text: str, *, smtp: bool) -> str:
    """The From header: needed with an SMTP server, which would refuse or bury a made-up one."""
    text = text.strip()
    if not text:
        if smtp:
            raise SettingsError(
                "TANDEM_EMAIL_FROM is needed with TANDEM_SMTP_URL: the address alerts are "
                "sent from, e.g. 'Tandem <alerts@example.org>'"
            )
        return DEV_EMAIL_FROM
    match = _SENDER.fullmatch(text)
    if match is None or email_address(match["address"] or match["bare"]) is None:
        raise SettingsError(
            "TANDEM_EMAIL_FROM must be one e-mail address, with or without a name "
            f"('Tandem <alerts@example.org>'), got {text!r}"
        )
    return formataddr(((match["name"] or "").strip(), match["address"] or match["bare"]))


def _port(env: dict[str, str], name: str, default: int) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) > MAX_PORT:
        raise SettingsError(f"{name} must be a port number (0: any free port), got {text!r}")
    return int(text)


def _seconds(env: dict[str, str], name: str, default: float) -> float:
    text = env.get(name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, got {text!r}") from None
    if value <= 0:
        raise SettingsError(f"{name} must be positive, got {text!r}")
    return value
