"""After an erasure: the tables touched are rewritten, and the WAL that held the rows goes."""

import asyncio
from pathlib import Path

import asyncpg
import pytest

from common.retention import compaction as compaction_lock
from planner.erasure import compaction
from tests.support.database import own_postgres
from tests.support.eventually import eventually

pytestmark = pytest.mark.integration

WAL_FILES = "SELECT array_agg(name) FROM pg_ls_waldir()"
CURRENT_WAL_FILE = "SELECT pg_walfile_name(pg_current_wal_lsn())"
FILE_OF = "SELECT pg_relation_filepath($1)"


async def test_the_embedded_postgresql_deletes_old_wal_segments_rather_than_reusing_them(
    tmp_path: Path,
) -> None:
    # A new folder: the wheel starts its server while making it, before the setting is added.
    async with own_postgres(tmp_path / "pgdata") as server:
        conn = await asyncpg.connect(server.dsn())
        try:
            await eventually(lambda: setting(conn, "wal_recycle"), 10)
        finally:
            await conn.close()


async def setting(conn: asyncpg.Connection, name: str) -> bool:
    """Whether ``name`` is off (a reload takes a moment to reach every process)."""
    return bool(await conn.fetchval("SELECT current_setting($1) = 'off'", name))


async def test_compaction_rewrites_the_tables_and_removes_the_wal_segment_of_the_deleted_rows(
    db_pool: asyncpg.Pool,
) -> None:
    await db_pool.execute(
        "INSERT INTO idempotency_keys (principal, key, request_sha256, status_code, body) "
        "VALUES ('participant:x', 'k', 'h', 201, 'Zephyrine-Q7')"
    )
    await db_pool.execute("DELETE FROM idempotency_keys")
    held_the_row = await db_pool.fetchval(CURRENT_WAL_FILE)
    before = await db_pool.fetchval(FILE_OF, "idempotency_keys")

    skipped = await compaction.compact(db_pool, ["idempotency_keys", "no_such_table"])

    assert skipped == []
    assert await db_pool.fetchval(FILE_OF, "idempotency_keys") != before  # rewritten
    assert held_the_row not in await db_pool.fetchval(WAL_FILES)


async def test_compaction_never_fails_the_erasure_that_committed_before_it(db_url: str) -> None:
    pool = await asyncpg.create_pool(db_url, min_size=1, max_size=1)
    await pool.close()  # as good as a database gone in between

    skipped = await compaction.compact(pool, ["idempotency_keys"])

    assert skipped == [
        "vacuum idempotency_keys",
        "vacuum pg_catalog.pg_statistic",
        "switch WAL",
        "checkpoint",
    ]


async def test_a_table_another_transaction_holds_is_left_and_the_rest_goes_on(
    db_url: str,
) -> None:
    holder = await asyncpg.connect(db_url)
    pool = await asyncpg.create_pool(db_url, min_size=1, max_size=1)  # one connection, reused
    try:
        async with holder.transaction():
            await holder.execute("LOCK TABLE idempotency_keys IN ACCESS SHARE MODE")
            skipped = await compaction.compact(pool, ["idempotency_keys", "page_sessions"])
        assert skipped == ["vacuum idempotency_keys"]
        assert await pool.fetchval("SHOW lock_timeout") == "0"  # given back as it was
    finally:
        await pool.close()
        await holder.close()


async def test_no_personal_column_is_sampled_into_the_statistics(db_pool: asyncpg.Pool) -> None:
    await db_pool.execute(
        "INSERT INTO participants (participant_id, display_name) "
        "SELECT gen_random_uuid(), 'Zephyrine-Q7' FROM generate_series(1, 50)"
    )
    await db_pool.execute("ANALYZE participants")
    sampled = await db_pool.fetchval("SELECT string_agg(s::text, ' ') FROM pg_stats AS s")
    assert "participant_id" in await db_pool.fetchval(
        "SELECT string_agg(attname, ' ') FROM pg_stats WHERE tablename = 'participants'"
    )  # the table was analyzed
    assert "Zephyrine-Q7" not in sampled


async def test_a_compaction_waits_for_another_one_in_the_same_database(db_url: str) -> None:
    other = await asyncpg.connect(db_url)  # the notifier's compaction, say
    pool = await asyncpg.create_pool(db_url, min_size=1, max_size=1)
    try:
        await other.execute(compaction_lock.LOCK, compaction_lock.KEY)
        started = asyncio.create_task(compaction.compact(pool, ["page_sessions"]))
        waiting = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"

        async def waits() -> None:
            assert await other.fetchval(waiting) == 1

        await eventually(waits, 10)  # for the other one
        assert not started.done()
        await other.execute(compaction_lock.UNLOCK, compaction_lock.KEY)
        assert await asyncio.wait_for(started, 30) == []
        assert await pool.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'") == 0
    finally:
        await pool.close()
        await other.close()
