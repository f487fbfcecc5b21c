"""Settings from the environment. Unset URLs mean: start embedded servers under ``home``."""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Literal, get_args

import msgspec

from common.retention import streams as retention
from common.retention.streams import DEFAULT_MAX_AGE_DAYS
from contracts.vocabulary import DEFAULT_CRISIS_RESOURCES
from planner.store import chain

DEFAULT_PORT = 8000
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 3650
MAX_NATS_REPLICAS = 5  # JetStream's own limit on stream replicas
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")

Per = Literal["second", "minute", "hour", "day"]  # the windows Litestar's rate limiter knows


class Rate(msgspec.Struct, frozen=True):
    """At most ``count`` requests per ``per`` (a fixed window): ``Rate(20, "minute")``."""

    count: int
    per: Per

    def __str__(self) -> str:
        return f"{self.count}/{self.per}"


class Throttling(msgspec.Struct, frozen=True, kw_only=True):
    """The API's rate limits (planner.api.throttling); None turns one off.

    A person never comes near them (a README walk-through, a day in the browser); someone
    guessing tokens, codes or links is slowed from hundreds of tries a second to a few a
    minute, and a script creating accounts to a few a minute.
    """

    signups: Rate | None = Rate(20, "minute")
    """Accounts created per client address."""
    links: Rate | None = Rate(60, "minute")
    """Consent, acknowledge and invite links opened or answered, per address and per token."""
    failures: Rate | None = Rate(20, "minute")
    """Failed guesses per address (an Authorization header that is not a known token, a
    link or invite code that does not exist); past it, the address gets 429 for every
    request with a token or a link until the window ends."""
    token: Rate | None = Rate(30, "second")
    """Requests per bearer token, on every authenticated route."""
    address: Rate | None = Rate(60, "second")
    """Requests with a bearer token per client address (several people behind one NAT)."""


UNLIMITED = Throttling(signups=None, links=None, failures=None, token=None, address=None)


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    home: Path = Path(".tandem")
    database_url: str | None = None
    nats_url: str | None = None
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    public_url: str | None = None
    secret_key: bytes = b""
    run_relay: bool = True
    """Run the outbox relay in this process when NATS is configured (standbys are fine)."""
    nats_replicas: int = 1
    """Replicas of each JetStream stream: 3 on a 3-node cluster (infra/nats/README.md)."""
    stream_max_age_days: int = DEFAULT_MAX_AGE_DAYS
    """Days a JetStream message is kept (TANDEM_STREAM_MAX_AGE_DAYS; common.retention.streams)."""
    dev_outbox: Path | None = None
    """Set by `tandem dev` only: serve the notifier's dev outbox at /dev/outbox."""
    allow_private_webhooks: bool = False
    """Let webhooks point at loopback or private addresses: development and tests only."""
    consent_link_seconds: int = 30 * 24 * 3600
    """How long a consent request's link can be answered (tests shorten it)."""
    token_days: int = DEFAULT_TOKEN_DAYS
    """A participant's token expires after this many days without use."""
    consent_notice_days: int = 14
    """How long before a support's consent ends the partners are told."""
    consent_check_seconds: float = 3600.0
    """How often a planner looks for consents that end within ``consent_notice_days``."""
    throttling: Throttling = Throttling()
    """The API's rate limits (TANDEM_THROTTLE_*)."""
    crisis_resources: str = DEFAULT_CRISIS_RESOURCES
    """Where to turn in a crisis: one tap away on every page (TANDEM_CRISIS_RESOURCES)."""

    @property
    def chain_key(self) -> bytes:
        """The key of the event store's hash chain, derived from ``secret_key``."""
        return chain.chain_key(self.secret_key)

    @property
    def token_lifetime(self) -> timedelta:
        return timedelta(days=self.token_days)

    @property
    def base_url(self) -> str:
        """Where people reach the API: links in consent requests and alerts start here."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def secure_cookies(self) -> bool:
        """Cookies only over https when the pages are served over https."""
        return self.base_url.startswith("https://")


class SettingsError(ValueError):
    """A setting that cannot be used; the message names the variable."""


def from_env(environ: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if environ is None else environ)
    home = Path(env.get("TANDEM_HOME", ".tandem"))
    port_text = env.get("TANDEM_PORT", str(DEFAULT_PORT))
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:  # noqa: PLR2004
        raise SettingsError(f"TANDEM_PORT must be a port number, got {port_text!r}")
    secret = env.get("TANDEM_SECRET_KEY", "")
    return Settings(
        home=home,
        database_url=env.get("TANDEM_DATABASE_URL") or None,
        nats_url=env.get("TANDEM_NATS_URL") or None,
        host=env.get("TANDEM_HOST", "127.0.0.1"),
        port=int(port_text),
        public_url=env.get("TANDEM_PUBLIC_URL") or None,
        secret_key=secret.encode() if secret else b"",
        run_relay=_flag(env, "TANDEM_RUN_RELAY", default=True),
        nats_replicas=_replicas(env.get("TANDEM_NATS_REPLICAS", "1")),
        stream_max_age_days=_max_age_days(env),
        allow_private_webhooks=_flag(env, "TANDEM_WEBHOOK_ALLOW_PRIVATE", default=False),
        token_days=_token_days(env.get("TANDEM_TOKEN_DAYS", "").strip()),
        throttling=_throttling(env),
        crisis_resources=env.get("TANDEM_CRISIS_RESOURCES", "").strip() or DEFAULT_CRISIS_RESOURCES,
    )


def _flag(env: dict[str, str], name: str, *, default: bool) -> bool:
    text = env.get(name, "").strip().lower()
    if not text:
        return default
    if text not in TRUE_WORDS + FALSE_WORDS:
        raise SettingsError(f"{name} must be true or false, got {text!r}")
    return text in TRUE_WORDS


def _max_age_days(env: dict[str, str]) -> int:
    try:
        return retention.max_age_days(env)
    except retention.MaxAgeError as error:
        raise SettingsError(str(error)) from None


def _replicas(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_NATS_REPLICAS:
        raise SettingsError(f"TANDEM_NATS_REPLICAS must be 1 to {MAX_NATS_REPLICAS}, got {text!r}")
    return int(text)


def _token_days(text: str) -> int:
    if not text:
        return DEFAULT_TOKEN_DAYS
    if not text.isdigit() or not 1 <= int(text) <= MAX_TOKEN_DAYS:
        raise SettingsError(f"TANDEM_TOKEN_DAYS must be 1 to {MAX_TOKEN_DAYS} days, got {text!r}")
    return int(text)


def _throttling(env: dict[str, str]) -> Throttling:
    """``TANDEM_THROTTLE_<NAME>`` for each limit: ``COUNT/UNIT`` (second, minute, hour,
    day), or ``off``; unset keeps the default."""
    defaults = Throttling()
    limits = {
        name: _rate(f"TANDEM_THROTTLE_{name.upper()}", env, getattr(defaults, name))
        for name in Throttling.__struct_fields__
    }
    return Throttling(**limits)


def _rate(name: str, env: dict[str, str], default: Rate | None) -> Rate | None:
    text = env.get(name, "").strip().lower()
    if not text:
        return default
    if text in FALSE_WORDS:
        return None
    count, _, per = text.partition("/")
    if not count.isdigit() or int(count) < 1 or per not in get_args(Per):
        raise SettingsError(
            f"{name} must be COUNT/UNIT (second, minute, hour, day) or off, got {text!r}"
        )
    return Rate(int(count), per)  # type: ignore[arg-type]  # checked against Per just above


def with_home_secret(settings: Settings) -> Settings:
    """Use the secret key kept under ``home`` (made once, mode 0600) when none is configured.

    Capability links (consent, acknowledge) are signed with it, so it must survive restarts.
    """
    if settings.secret_key:
        return settings
    path = settings.home / "secret_key"
    if not path.exists():
        settings.home.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return msgspec.structs.replace(settings, secret_key=path.read_text().strip().encode())
