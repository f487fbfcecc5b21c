"""PostgreSQL stopped under a running planner: 503 with Retry-After, never 500, and the
same requests work again once it is back, without anyone touching the planner."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from planner.runtime.embedded.postgres import EmbeddedPostgres
from planner.settings import UNLIMITED, Settings
from tests.support.api import TEST_SECRET, assert_problem, register
from tests.support.app_client import app_client
from tests.support.database import own_postgres
from tests.support.eventually import eventually

pytestmark = pytest.mark.integration

RECOVERY_SECONDS = 30.0  # a pooled connection to the old server fails once, then reconnects


@pytest.fixture
async def postgres(tmp_path: Path) -> AsyncIterator[EmbeddedPostgres]:
    """A PostgreSQL of this test's own, to stop and start (the session's stays up)."""
    async with own_postgres(tmp_path / "pgdata") as server:
        yield server


def assert_unavailable(response: Any) -> None:
    body = assert_problem(response, 503)
    assert body["type"].endswith("/unavailable")
    assert int(response.headers["retry-after"]) >= 1


async def test_a_stopped_database_answers_503_and_a_restarted_one_serves_again(
    postgres: EmbeddedPostgres, tmp_path: Path
) -> None:
    dsn = postgres.dsn()
    settings = Settings(home=tmp_path, database_url=dsn, secret_key=TEST_SECRET)
    unthrottled = msgspec.structs.replace(settings, throttling=UNLIMITED)
    # Throttled, the rate limiter's store meets the outage first; unthrottled, the route.
    async with app_client(settings) as throttled, app_client(unthrottled) as direct:
        person = await register(direct, "Alex")
        await asyncio.to_thread(postgres.stop)

        for client in (throttled, direct):
            assert_unavailable(await client.post("/v1/participants", json={"display_name": "B"}))
            assert_unavailable(
                await client.post("/v1/plans", json={"title": "Ours"}, headers=person.auth)
            )
            assert_unavailable(await client.get("/v1/participants/me", headers=person.auth))
            assert (await client.get("/readyz")).status_code == 503

        assert await asyncio.to_thread(postgres.start) == dsn

        for client in (throttled, direct):

            async def plan_created(client: AsyncTestClient[Any] = client) -> None:
                answer = await client.post("/v1/plans", json={"title": "Ours"}, headers=person.auth)
                assert answer.status_code in {201, 503}, answer.text  # never a 500
                assert answer.status_code == 201

            await eventually(plan_created, timeout=RECOVERY_SECONDS, interval=0.2)
            assert (await client.get("/readyz")).status_code == 200
