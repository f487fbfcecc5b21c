"""What `tandem dev` says at start and at stop: true for the configuration it runs with.

Pure: the settings, the servers in use and the environment in, lines out. A URL is shown
without its user, password or query (a database URL may carry ``?password=``).
"""

from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from contracts.subjects import PLAN_STREAM
from planner.runtime.stack import NATS, POSTGRES, Endpoints
from planner.settings import Settings

HIDDEN = "(set; not shown: it is not a URL)"


def shown(url: str) -> str:
    """``url`` without credentials or query; each of a comma-separated list (NATS servers)."""
    return ",".join(_one(part.strip()) for part in url.split(","))


def _one(url: str) -> str:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return HIDDEN
    if not parts.scheme or not parts.netloc:
        return HIDDEN
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}{'' if port is None else f':{port}'}{parts.path}"


def started_lines(
    settings: Settings, endpoints: Endpoints, env: Mapping[str, str], notifier_status: str
) -> list[str]:
    """The banner under "Tandem is running": where everything is, and what is whose."""
    base = f"http://{settings.host}:{settings.port}"
    relay = f"outbox → JetStream {PLAN_STREAM}" if settings.run_relay else "off (TANDEM_RUN_RELAY)"
    return [
        f"  pages     {base}/   (start here in a browser)",
        f"  API       {base}/v1",
        f"  API docs  {base}/docs",
        f"  Swagger   {base}/docs/swagger",
        f"  health    {base}/healthz  {base}/readyz",
        f"  database  {_server(POSTGRES, endpoints, endpoints.database_url)}",
        f"  NATS      {_server(NATS, endpoints, endpoints.nats_url or '')}",
        f"  relay     {relay}",
        "  notifier  its own process (python -m notifier)",
        f"            {notifier_status}/metrics  {notifier_status}/readyz",
        f"  metrics   {base}/metrics",
        *_channels(base, env),
    ]


def _server(name: str, endpoints: Endpoints, url: str) -> str:
    if name not in endpoints.embedded:
        return f"{shown(url)} (external)"
    if name == POSTGRES:
        return "embedded PostgreSQL (Unix socket under TANDEM_HOME)"
    return f"{url} (embedded)"


def _channels(base: str, env: Mapping[str, str]) -> list[str]:
    outbox = f"dev outbox {base}/dev/outbox"
    smtp, sms = env.get("TANDEM_SMTP_URL"), env.get("TANDEM_SMS_URL")
    sender = env.get("TANDEM_EMAIL_FROM", "").strip()
    missing = "nobody: TANDEM_EMAIL_FROM is unset, so the notifier will not start"
    email = f"{outbox} (no SMTP server: TANDEM_SMTP_URL)"
    if smtp:
        email = f"SMTP {shown(smtp)}, from {sender or missing}"
    text = f"provider {shown(sms)}" if sms else f"{outbox} (no provider: TANDEM_SMS_URL)"
    return [f"  e-mail    {email}", f"  SMS       {text}"]


def stopped_line(endpoints: Endpoints | None) -> str:
    """What Ctrl-C left behind: what this run started is stopped; the rest is untouched."""
    if endpoints is None:
        return "Tandem stopped."
    said = ["Tandem stopped"]
    if endpoints.started:
        said.append(f"embedded {_and(endpoints.started)} stopped, data kept")
    reused = [name for name in endpoints.embedded if name not in endpoints.started]
    if reused:
        said.append(f"embedded {_and(reused)} left running (found running at start)")
    external = [name for name in (POSTGRES, NATS) if name not in endpoints.embedded]
    if external:
        said.append(f"external {_and(['NATS' if n == NATS else n for n in external])} untouched")
    return ": ".join(said[:2]) + "".join(f"; {part}" for part in said[2:]) + "."


def _and(names: Sequence[str]) -> str:
    return " and ".join(names)
