"""`tandem dev` owns what it starts: dead embedded servers come back, orphans do not stay."""

import asyncio
import os
import signal
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
from tests.support.dev_stack import Dev, stop_servers_left_behind, until

pytestmark = pytest.mark.integration

CHECK_SECONDS = 3.0


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


@pytest.fixture
def dev_home(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    stop_servers_left_behind(tmp_path)


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
