"""The notifier as its own process, started by `tandem dev` (it is never imported here).

The planner passes what the notifier needs through its environment: the servers, the
service secret (ack links and webhook secrets are derived from it), and in development
the dev outbox for e-mail and SMS that have no provider configured.
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from planner.settings import Settings

STOP_TIMEOUT_SECONDS = 10.0
DEFAULT_STATUS_PORT = "8001"  # the notifier's /healthz, /readyz and /metrics


def status_url() -> str:
    """Where the notifier started by `tandem dev` serves its status (TANDEM_NOTIFIER_PORT)."""
    port = os.environ.get("TANDEM_NOTIFIER_PORT") or DEFAULT_STATUS_PORT
    return f"http://127.0.0.1:{port}"


def command() -> list[str]:
    return [sys.executable, "-m", "notifier"]


def environment(settings: Settings, dev_outbox: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    env["TANDEM_DATABASE_URL"] = settings.database_url or ""
    env["TANDEM_NATS_URL"] = settings.nats_url or ""
    env["TANDEM_SECRET_KEY"] = settings.secret_key.decode()
    env["TANDEM_PUBLIC_URL"] = settings.base_url
    env["TANDEM_NOTIFIER_PORT"] = status_url().rsplit(":", 1)[1]
    if dev_outbox is not None:
        env["TANDEM_DEV_OUTBOX"] = str(dev_outbox)
    if settings.allow_private_webhooks:
        env["TANDEM_WEBHOOK_ALLOW_PRIVATE"] = "1"
    return env


@contextmanager
def notifier_process(
    settings: Settings, dev_outbox: Path | None
) -> Iterator[subprocess.Popen[bytes]]:
    """Run the notifier for the duration of the block; stop it (SIGTERM, then SIGKILL)."""
    process = subprocess.Popen(command(), env=environment(settings, dev_outbox))  # noqa: S603
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
