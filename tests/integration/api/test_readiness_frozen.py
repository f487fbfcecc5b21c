"""/readyz answers within a second whatever the dependencies do: here both the database
and NATS are "frozen", TCP listeners that accept connections and never say a word (as a
SIGSTOPped server does), for the planner and for the notifier's status server.

The probes' budget is 0.8 s; the assertions allow 1.5 s so that a loaded test machine does
not fail them, while a readiness check that waits for a frozen dependency (2 s per probe
before, one after another: 4 s) still fails them clearly.
"""

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx
import pytest
import uvicorn
from litestar import Litestar

from notifier.settings import NotifierSettings
from notifier.status import Dependencies, serving
from planner.api.app import create_app
from planner.settings import Settings
from tests.support.eventually import eventually

pytestmark = pytest.mark.integration

ANSWER_WITHIN_SECONDS = 1.5
NO_ANSWER = "no answer in time"


@pytest.fixture
async def frozen() -> AsyncIterator[tuple[str, int]]:
    """A listener that accepts every connection and never answers (host, port)."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    host, port = server.sockets[0].getsockname()[:2]
    try:
        yield host, port
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


@pytest.fixture
async def frozen_pool(frozen: tuple[str, int]) -> AsyncIterator[asyncpg.Pool]:
    """A pool on the frozen "database": it connects only when asked (min_size 0)."""
    host, port = frozen
    pool = await asyncpg.create_pool(
        f"postgresql://tandem@{host}:{port}/tandem", min_size=0, max_size=2, timeout=5
    )
    try:
        yield pool
    finally:
        pool.terminate()


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # pytest keeps its signals


@asynccontextmanager
async def served(app: Litestar) -> AsyncIterator[str]:
    """``app`` served on this event loop (the pool it is given belongs to this loop)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_config=None, log_level="warning", access_log=False)
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        await eventually(lambda: server.started, timeout=10)
        yield "http://{}:{}".format(*sock.getsockname()[:2])
    finally:
        server.should_exit = True
        await task
        sock.close()


async def timed_get(base_url: str, path: str) -> tuple[httpx.Response, float]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        started = time.monotonic()
        answer = await client.get(path)
        return answer, time.monotonic() - started


async def test_the_planner_says_not_ready_in_time_when_its_dependencies_freeze(
    frozen: tuple[str, int], frozen_pool: asyncpg.Pool, tmp_path: Path
) -> None:
    host, port = frozen
    settings = Settings(
        home=tmp_path,
        database_url="postgresql://unused/none",  # the pool given below is used instead
        nats_url=f"nats://{host}:{port}",
        run_relay=False,  # no relay or recorder to connect to the frozen NATS at start
        secret_key=b"readiness-test-secret",
    )
    async with served(create_app(settings, pool=frozen_pool)) as base_url:
        answer, took = await timed_get(base_url, "/readyz")

    assert took < ANSWER_WITHIN_SECONDS
    assert answer.status_code == 503
    assert answer.json()["checks"] == {"database": NO_ANSWER, "nats": NO_ANSWER}
    assert answer.json()["outbox_pending"] is None


async def test_the_notifiers_status_server_says_not_ready_in_time_when_its_database_freezes(
    frozen_pool: asyncpg.Pool,
) -> None:
    deps = Dependencies(
        NotifierSettings(
            database_url="postgresql://unused/none",
            nats_url="nats://unused:4222",
            secret_key=b"readiness-test-secret",
            public_url="http://tandem.test",
        )
    )
    deps.pool = frozen_pool
    async with serving(deps) as base_url:
        answer, took = await timed_get(base_url, "/readyz")

    assert took < ANSWER_WITHIN_SECONDS
    assert answer.status_code == 503
    assert answer.json()["checks"]["database"] == NO_ANSWER
