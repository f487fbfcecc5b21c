"""`tandem dev` as a user runs it (`make run`), as a subprocess on its own data folder and ports.

Its stdout and stderr (the notifier's too: it inherits them) go to ``dev.out`` in the data
folder, where a test reads the banner and the log lines::

    dev = Dev(tmp_path)
    dev.start()  # returns once the API answers /readyz
    try:
        ...
    finally:
        dev.interrupt()  # Ctrl-C: everything it started stops
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from planner.runtime.embedded.nats_server import EmbeddedNats
from planner.runtime.embedded.postgres import EmbeddedPostgres

START_SECONDS = 90.0
STOP_SECONDS = 60.0
OUTPUT_TAIL_CHARS = 4000


def until(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {seconds} s: {what}")
        time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Dev:
    """`tandem dev` with embedded servers under ``home``, the API and notifier on free ports."""

    def __init__(self, home: Path, env: Mapping[str, str] | None = None) -> None:
        self.home = home
        self.port = free_port()
        self.notifier_port = free_port()
        self.env = {
            **os.environ,
            "TANDEM_HOME": str(home),
            "TANDEM_PORT": str(self.port),
            "TANDEM_NOTIFIER_PORT": str(self.notifier_port),
            "TANDEM_DATABASE_URL": "",
            "TANDEM_NATS_URL": "",
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def output_path(self) -> Path:
        return self.home / "dev.out"

    def start(self) -> None:
        with self.output_path.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603
                [str(Path(sys.executable).parent / "tandem"), "dev"],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        until(self.ready, START_SECONDS, f"tandem dev ready; output:\n{self.output()}")

    def ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            pytest.fail(f"tandem dev exited early:\n{self.output()}")
        return _ok(f"{self.base_url}/readyz")

    def notifier_ready(self) -> bool:
        return _ok(f"http://127.0.0.1:{self.notifier_port}/readyz")

    def notifier_pid(self) -> int:
        return int((self.home / "notifier.pid").read_text())

    def output(self) -> str:
        """The tail of what it printed so far."""
        path = self.output_path
        return path.read_text(errors="replace")[-OUTPUT_TAIL_CHARS:] if path.exists() else ""

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def interrupt(self) -> bool:
        """Ctrl-C, and wait for it to stop (killed if it takes too long). Whether it stopped
        by itself, stopping what it started."""
        if self.process is None:
            return True
        if self.process.poll() is not None:
            return self.process.returncode == 0
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(STOP_SECONDS) == 0
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return False


def stop_servers_left_behind(home: Path) -> None:
    """A killed `tandem dev` leaves its embedded servers running for the next one to reuse."""
    postgres = EmbeddedPostgres(home / "postgres")
    if postgres.is_running():
        postgres.stop()
    nats_pid_file = home / "nats" / "nats-server.pid"
    if EmbeddedNats(home / "nats").running_url() is not None:
        os.kill(int(nats_pid_file.read_text()), signal.SIGTERM)


def _ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as answer:  # noqa: S310 - loopback
            return bool(answer.status == 200)
    except OSError:
        return False
