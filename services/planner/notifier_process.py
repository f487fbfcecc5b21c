"""The notifier as its own process, started by `tandem dev` (it is never imported here).

The planner passes what the notifier needs through its environment: the servers, the
service secret (ack links and webhook secrets are derived from it), and in development
the dev outbox for e-mail and SMS that have no provider configured.
"""

import functools
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from planner.settings import Settings

STOP_TIMEOUT_SECONDS = 10.0
DEFAULT_STATUS_PORT = "8001"  # the notifier's /healthz, /readyz and /metrics


@functools.cache
def status_url() -> str:
    """Where the notifier started by `tandem dev` serves its status.

    TANDEM_NOTIFIER_PORT when set (a port in use then stops the notifier, loudly). Else
    8001, or a free port when something else holds 8001: like the embedded servers, the
    local stack must never fail to alert because a port is taken. Decided once per process,
    so the banner and the notifier agree.
    """
    port = os.environ.get("TANDEM_NOTIFIER_PORT") or _free_or_any(int(DEFAULT_STATUS_PORT))
    return f"http://127.0.0.1:{port}"


def _free_or_any(preferred: int) -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", preferred))
        except OSError:
            probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


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
