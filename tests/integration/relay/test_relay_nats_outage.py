"""NATS goes away: commands still commit, the outbox grows, /readyz says so, the relay catches up.

Each test runs its own nats-server (on a port of its own, data in tmp_path), so stopping it
leaves the session's server alone.
"""

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient
from nats.js import JetStreamContext

from contracts.subjects import PLAN_STREAM
from planner.api.app import create_app
from planner.relay import wake
from planner.relay.loop import Relay, RelayState
from planner.runtime.embedded.nats_server import HOST, EmbeddedNats, free_port
from planner.settings import Settings
from planner.store.event_store import read_all
from tests.integration.relay.conftest import StartRelay
from tests.integration.relay.support import (
    all_published,
    append_plan,
    append_signs,
    count_is,
    messages_at,
    msg_ids,
    pending,
)
from tests.support import api
from tests.support.eventually import eventually

pytestmark = pytest.mark.integration

CATCH_UP_SECONDS = 10.0  # nats-py retries each second; JetStream needs a moment after a start


@pytest.fixture
def own_nats(tmp_path: Path) -> Iterator[EmbeddedNats]:
    server = EmbeddedNats(tmp_path / "nats", port=free_port())
    try:
        yield server
    finally:
        server.stop()


def url_of(server: EmbeddedNats) -> str:
    return f"nats://{HOST}:{server.port}"


async def readiness(client: AsyncTestClient[Any]) -> tuple[int, dict[str, str]]:
    response = await client.get("/readyz")
    checks: dict[str, str] = response.json()["checks"]
    return response.status_code, checks


async def test_while_nats_is_down_commands_commit_and_the_relay_catches_up_once_it_returns(
    tmp_path: Path, db_url: str, db_pool: asyncpg.Pool, own_nats: EmbeddedNats
) -> None:
    await asyncio.to_thread(own_nats.start)
    settings = Settings(
        home=tmp_path, database_url=db_url, nats_url=url_of(own_nats), secret_key=b"test-secret"
    )
    app = create_app(settings)
    async with AsyncTestClient(app=app, base_url="http://tandem.test") as client:
        relay: Relay = app.state.relay  # the planner process runs the relay
        await eventually(lambda: relay.active)
        assert wake.waker(app.state.pool).wake_local == relay.wake_if_active
        assert await readiness(client) == (200, {"database": "ok", "nats": "ok"})

        await asyncio.to_thread(own_nats.stop)
        plan = await append_plan(db_pool)
        await append_signs(db_pool, plan.stream_id, 19)
        assert len(await pending(db_pool)) == 20
        alex = await api.register(client, "Alex")
        await api.create_plan(client, alex)  # an HTTP command, accepted without NATS
        status, checks = await readiness(client)
        assert (status, checks["database"]) == (503, "ok")
        assert checks["nats"] != "ok"
        assert (await client.get("/readyz")).json()["outbox_pending"] >= 20  # the outbox grows
        await eventually(lambda: not relay.nats_connected)

        await asyncio.to_thread(own_nats.start)  # same port, same data folder
        await eventually(all_published(db_pool), timeout=CATCH_UP_SECONDS)
        assert await readiness(client) == (200, {"database": "ok", "nats": "ok"})

    # Every event exactly once, in position order: a duplicate would be an extra message.
    stored = await messages_at(url_of(own_nats))
    assert msg_ids(stored) == [str(envelope.event_id) for envelope in await read_all(db_pool)]


async def test_a_relay_started_while_nats_is_down_publishes_once_nats_starts(
    db_pool: asyncpg.Pool, own_nats: EmbeddedNats, start_relay: StartRelay
) -> None:
    started = await start_relay(nats=url_of(own_nats))
    await append_plan(db_pool, count=3)
    assert started.relay.state is RelayState.STARTING  # waits for NATS before taking the lock
    assert not started.relay.nats_connected

    await asyncio.to_thread(own_nats.start)

    await eventually(all_published(db_pool), timeout=CATCH_UP_SECONDS)
    assert len(await messages_at(url_of(own_nats))) == 3


async def test_a_publish_that_fails_leaves_the_rows_pending_and_is_retried(
    db_pool: asyncpg.Pool, js: JetStreamContext, start_relay: StartRelay
) -> None:
    started = await start_relay()
    await append_plan(db_pool)
    await eventually(count_is(js, 1))

    # Without its stream JetStream has no responder for the subject: the publish fails.
    await js.delete_stream(PLAN_STREAM)
    await append_plan(db_pool, count=2)

    # The relay backs off, ensures the streams again, and publishes what was left pending.
    await eventually(count_is(js, 2), timeout=CATCH_UP_SECONDS)
    await eventually(all_published(db_pool))
    assert started.relay.published_count == 3
