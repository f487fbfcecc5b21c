"""The rate limiter's store on PostgreSQL: Litestar's Store contract, with expiry."""

from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg
import pytest

from planner.store import rate_limits
from planner.store.rate_limits import PostgresStore

pytestmark = pytest.mark.integration


@pytest.fixture
async def pool(db_url: str) -> AsyncIterator[asyncpg.Pool]:
    async with asyncpg.create_pool(db_url, min_size=1, max_size=2) as made:
        yield made


@pytest.fixture
def store(pool: asyncpg.Pool) -> PostgresStore:
    made = PostgresStore()
    made.use(pool)
    return made


async def test_a_value_set_is_read_back_until_it_expires(store: PostgresStore) -> None:
    await store.set("kept", "history", expires_in=60)
    await store.set("gone", b"history", expires_in=0)

    assert await store.get("kept") == b"history"
    assert await store.exists("kept")
    assert 0 < (await store.expires_in("kept") or 0) <= 60
    assert await store.get("gone") is None
    assert not await store.exists("gone")
    assert await store.get("never set") is None


async def test_a_later_set_replaces_the_value_and_its_expiry(store: PostgresStore) -> None:
    await store.set("key", "first", expires_in=60)
    await store.set("key", "second", expires_in=timedelta(hours=1))

    assert await store.get("key") == b"second"
    assert (await store.expires_in("key") or 0) > 60


async def test_reading_with_renew_for_moves_the_expiry(store: PostgresStore) -> None:
    await store.set("key", "value", expires_in=5)

    assert await store.get("key", renew_for=600) == b"value"
    assert (await store.expires_in("key") or 0) > 5


async def test_a_value_without_expiry_stays(store: PostgresStore) -> None:
    await store.set("key", "value")

    assert await store.get("key", renew_for=60) == b"value"
    assert await store.expires_in("key") is None


async def test_delete_and_delete_all(store: PostgresStore) -> None:
    for key in ("a", "b", "c"):
        await store.set(key, key, expires_in=60)

    await store.delete("a")
    assert await store.get("a") is None
    assert await store.get("b") == b"b"
    await store.delete_all()
    assert [await store.get(key) for key in ("b", "c")] == [None, None]


async def test_expired_rows_are_swept_as_writes_go_on(
    store: PostgresStore, pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rate_limits, "SWEEP_EVERY", 4)
    for n in range(3):
        await store.set(f"expired-{n}", "x", expires_in=0)

    await store.set("live", "x", expires_in=60)  # the 4th write sweeps

    assert await pool.fetchval("SELECT array_agg(key) FROM rate_limits") == ["live"]


async def test_two_stores_on_one_database_see_the_same_values(pool: asyncpg.Pool) -> None:
    one, other = PostgresStore(), PostgresStore()
    one.use(pool)
    other.use(pool)

    await one.set("shared", "count", expires_in=60)

    assert await other.get("shared") == b"count"


async def test_a_store_without_a_pool_says_so() -> None:
    with pytest.raises(RuntimeError, match="no pool"):
        await PostgresStore().get("key")
