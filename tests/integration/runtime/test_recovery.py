"""`tandem dev` owns what it starts: dead embedded servers come back, orphans do not stay."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import asyncpg
import pytest
from nats.errors import Error as NatsError

from planner.runtime.embedded.nats_server import EmbeddedNats
from planner.runtime.embedded.postgres import EmbeddedPostgres
from planner.runtime.stack import servers
from planner.settings import Settings
from tests.integration.runtime.test_embedded import jetstream_answers, process_gone

pytestmark = pytest.mark.integration

START_SECONDS = 90.0
CHECK_SECONDS = 3.0


def until(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {seconds} s: {what}")
        time.sleep(0.1)


def answers(check: Callable[[], Awaitable[object]]) -> bool:
    """Whether ``check`` succeeds within a few seconds (a dead server can make a client hang)."""
    try:
        return bool(asyncio.run(asyncio.wait_for(check(), CHECK_SECONDS)))
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError, NatsError):
        return False


def postmaster_pid(data_dir: Path) -> int:
    return int((data_dir / "postmaster.pid").read_text().split()[0])


def test_embedded_servers_that_die_are_started_again_at_the_same_address(
    tmp_path: Path,
) -> None:
    settings = Settings(home=tmp_path)
    with servers(settings, keep_alive=True) as endpoints:
        assert endpoints.nats_url is not None
        nats_pid = int((tmp_path / "nats" / "nats-server.pid").read_text())
        os.kill(nats_pid, signal.SIGKILL)
        until(
            lambda: answers(lambda: jetstream_answers(endpoints.nats_url or "")),
            30,
            "nats-server answers again on its URL",
        )
        assert int((tmp_path / "nats" / "nats-server.pid").read_text()) != nats_pid

        pg_pid = postmaster_pid(tmp_path / "postgres")
        os.kill(pg_pid, signal.SIGKILL)
        until(lambda: process_gone(pg_pid), 10, "the killed postmaster is gone")
        until(
            lambda: answers(lambda: _select_one(endpoints.database_url)),
            60,
            "PostgreSQL answers again on its URL",
        )
        assert postmaster_pid(tmp_path / "postgres") != pg_pid
    assert not EmbeddedPostgres(tmp_path / "postgres").is_running()
    assert EmbeddedNats(tmp_path / "nats").running_url() is None


async def _select_one(dsn: str) -> int:
    conn = await asyncpg.connect(dsn, timeout=2)
    try:
        return int(await conn.fetchval("SELECT 1"))
    finally:
        await conn.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Dev:
    """`tandem dev` as a user runs it, on its own data folder and ports."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.port = free_port()
        self.env = {
            **os.environ,
            "TANDEM_HOME": str(home),
            "TANDEM_PORT": str(self.port),
            "TANDEM_NOTIFIER_PORT": str(free_port()),
            "TANDEM_DATABASE_URL": "",
            "TANDEM_NATS_URL": "",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with (self.home / "dev.out").open("ab") as out:
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
        return _ok(f"http://127.0.0.1:{self.port}/readyz")

    def notifier_ready(self) -> bool:
        return _ok(f"http://127.0.0.1:{self.env['TANDEM_NOTIFIER_PORT']}/readyz")

    def notifier_pid(self) -> int:
        return int((self.home / "notifier.pid").read_text())

    def output(self) -> str:
        path = self.home / "dev.out"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def interrupt(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as answer:  # noqa: S310 - loopback
            return bool(answer.status == 200)
    except OSError:
        return False


@pytest.fixture
def dev_home(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    # A killed `tandem dev` leaves its embedded servers running for the next one to reuse.
    EmbeddedPostgres(tmp_path / "postgres").stop()
    nats_pid_file = tmp_path / "nats" / "nats-server.pid"
    if EmbeddedNats(tmp_path / "nats").running_url() is not None:
        os.kill(int(nats_pid_file.read_text()), signal.SIGTERM)


def test_after_kill_9_of_tandem_dev_no_notifier_is_left_and_the_next_start_works(
    dev_home: Path,
) -> None:
    first = Dev(dev_home)
    first.start()
    orphan = first.notifier_pid()
    first.kill()
    until(lambda: process_gone(orphan), 15, "the notifier of a killed tandem dev stops")

    second = Dev(dev_home)
    try:
        second.start()
        notifier = second.notifier_pid()
        assert notifier != orphan
        until(second.notifier_ready, 30, f"the new notifier is ready:\n{second.output()}")
        assert second.notifier_pid() == notifier  # it did not have to be started again
    finally:
        second.interrupt()
    assert process_gone(notifier)
