"""The notifier as its own process, started by `tandem dev` (it is never imported here).

The planner passes what the notifier needs through its environment: the servers, the
service secret (ack links and webhook secrets are derived from it), and in development
the dev outbox for e-mail and SMS that have no provider configured.
"""

import contextlib
import functools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import structlog

from common.waiting import STOP_TIMEOUT_SECONDS
from planner.settings import Settings

log = structlog.stdlib.get_logger(__name__)

WATCH_SECONDS = 1.0  # how often `tandem dev` checks that its notifier still runs
RESTART_DELAY_SECONDS = 1.0
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
    env["TANDEM_PARENT_PID"] = str(os.getpid())  # the notifier stops when we are gone
    return env


def stop_leftover(pid_file: Path) -> int | None:
    """Stop a notifier that an earlier `tandem dev` started and left running; its pid.

    A `tandem dev` killed with -9 cannot stop its child. The child stops by itself once it
    sees it is orphaned, within a second or so; this covers a start that comes sooner, or a
    child too busy to notice. Only a process that is still a notifier is signalled, since
    its pid may have been reused meanwhile.
    """
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    if not _is_notifier(pid):
        return None
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while _is_notifier(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _is_notifier(pid):
        os.kill(pid, signal.SIGKILL)
    log.warning("notifier.leftover_stopped", pid=pid)
    return pid


def _is_notifier(pid: int) -> bool:
    """Whether ``pid`` runs ``python -m notifier`` (and is not a zombie)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z" and cmdline[1:3] == [b"-m", b"notifier"]


class Supervised:
    """The notifier process, started again whenever it exits while `tandem dev` runs.

    A notifier that died (a crash, an OOM kill, a bad deploy of its code) would otherwise
    leave the local stack accepting activations that alert nobody.
    """

    def __init__(self, env: dict[str, str], pid_file: Path | None = None) -> None:
        self._env = env
        self._pid_file = pid_file
        self._stopping = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="notifier-watch", daemon=True)
        self.process = self._spawn()
        self.restarts = 0

    def _spawn(self) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(command(), env=self._env)  # noqa: S603
        if self._pid_file is not None:
            self._pid_file.write_text(f"{process.pid}\n")
        return process

    def start(self) -> None:
        self._watcher.start()

    def _watch(self) -> None:
        while not self._stopping.wait(WATCH_SECONDS):
            returncode = self.process.poll()
            if returncode is None:
                continue
            log.error("notifier.exited", returncode=returncode, restart_in=RESTART_DELAY_SECONDS)
            if self._stopping.wait(RESTART_DELAY_SECONDS):
                return
            self.process = self._spawn()
            self.restarts += 1

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not exit in time; no restart after this."""
        self._stopping.set()
        if self._watcher.is_alive():
            self._watcher.join()
        process = self.process
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if self._pid_file is not None:
            with contextlib.suppress(OSError):
                self._pid_file.unlink()


@contextmanager
def notifier_process(
    settings: Settings, dev_outbox: Path | None, pid_file: Path | None = None
) -> Iterator[Supervised]:
    """Run the notifier for the duration of the block, restarted if it exits; then stop it.

    With ``pid_file``, a notifier an earlier run left behind is stopped first.
    """
    if pid_file is not None:
        stop_leftover(pid_file)
    supervised = Supervised(environment(settings, dev_outbox), pid_file)
    supervised.start()
    try:
        yield supervised
    finally:
        supervised.stop()
