"""The planner's pool: no reset round trip on release, and an open transaction still ends."""

import pytest

from planner.store import pool as pool_factory
from tests.support.database import value_of

pytestmark = pytest.mark.integration

LAST_QUERY = "SELECT query FROM pg_stat_activity WHERE pid = $1"


async def test_a_released_connection_goes_back_without_a_reset_statement(db_url: str) -> None:
    async with pool_factory.create(db_url) as pool:
        async with pool.acquire() as conn:
            pid = await conn.fetchval("SELECT pg_backend_pid()")
            await conn.execute("SELECT 42")

        # Released: the session's last statement is still ours, not RESET ALL.
        assert await value_of(db_url, LAST_QUERY, pid) == "SELECT 42"


async def test_a_transaction_left_open_is_rolled_back_on_release(db_url: str) -> None:
    async with pool_factory.create(db_url) as pool:
        pool_size = pool_factory.MIN_SIZE
        for _ in range(pool_size):  # every pooled connection in turn
            async with pool.acquire() as conn:
                await conn.transaction().start()  # never committed nor rolled back
                await conn.execute("CREATE TEMP TABLE left_open (n int)")
        for _ in range(pool_size):
            async with pool.acquire() as conn:
                assert not conn.is_in_transaction()
                assert await conn.fetchval("SELECT to_regclass('pg_temp.left_open')") is None
