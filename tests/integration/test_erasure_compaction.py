"""After an erasure: the tables touched are rewritten, and the WAL that held the rows goes."""

import os

import asyncpg
import pytest

from planner.erasure import compaction

pytestmark = pytest.mark.integration

WAL_FILES = "SELECT array_agg(name) FROM pg_ls_waldir()"
CURRENT_WAL_FILE = "SELECT pg_walfile_name(pg_current_wal_lsn())"
FILE_OF = "SELECT pg_relation_filepath($1)"


@pytest.mark.skipif(
    bool(os.environ.get("TANDEM_TEST_DATABASE_URL")), reason="an external server's own settings"
)
async def test_the_embedded_postgresql_deletes_old_wal_segments_rather_than_reusing_them(
    db_pool: asyncpg.Pool,
) -> None:
    assert await db_pool.fetchval("SHOW wal_recycle") == "off"


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
