"""A live planner with one of everything in it, for schemathesis to call over real HTTP."""

import os
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from planner.api.app import create_app
from planner.settings import UNLIMITED, Settings
from tests.support.database import fresh_database
from tests.support.live_server import serving
from tests.support.world import World, build

pytestmark = pytest.mark.integration

# schemathesis gives every operation's case the same node id, and pytest-xdist schedules by
# node id: on a worker all but one case would silently not run. `make test` runs this folder
# in a process of its own.
if os.environ.get("PYTEST_XDIST_WORKER"):
    msg = "tests/contract must run in one process (without --numprocesses): see tests/contract/conftest.py"
    raise pytest.UsageError(msg)


class LivePlanner:
    def __init__(self, base_url: str, world: World) -> None:
        self.base_url = base_url
        self.world = world


@pytest.fixture(scope="module")
async def contract_db_url(database_url: str, template_database: str) -> AsyncIterator[str]:
    """One database for the module: the generated calls pile up in it, as in production."""
    async with fresh_database(database_url, template_database) as url:
        yield url


@pytest.fixture(scope="module")
async def live_planner(
    contract_db_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[LivePlanner]:
    settings = Settings(
        home=tmp_path_factory.mktemp("contract"),
        database_url=contract_db_url,
        public_url="http://tandem.test",
        secret_key=b"contract-test-secret-not-for-production",
        # Schemathesis sends thousands of requests, wrong tokens among them, from one
        # address: under the limits it would meet (documented) 429s and test little else.
        throttling=UNLIMITED,
    )
    pool = await asyncpg.create_pool(contract_db_url, min_size=1, max_size=2)
    try:
        with serving(create_app(settings)) as base_url:
            async with httpx.AsyncClient(base_url=base_url) as client:
                world = await build(client, pool, settings)
            yield LivePlanner(base_url, world)
    finally:
        await pool.close()
