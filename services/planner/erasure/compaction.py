"""Removing what PostgreSQL keeps of deleted rows, after an erasure committed.

A deleted row stays in its table's files as a dead tuple until a vacuum, and in the WAL
segments that recorded it (its insert, and full-page images of its page) until they are
removed. So, after each erasure: ``VACUUM (FULL, ANALYZE)`` rewrites each table it touched
without the dead rows (the old files are truncated at once and unlinked at the next
checkpoint); then ``pg_switch_wal()`` closes the current WAL segment and ``CHECKPOINT``
lets PostgreSQL remove the segments before it, which with ``wal_recycle = off`` (the
embedded PostgreSQL's setting; state it in a production server's configuration too) are
deleted rather than renamed for reuse.

Best effort, and said so in the log without any data: a role that may not checkpoint or
switch WAL (neither superuser nor pg_checkpoint, no EXECUTE on pg_switch_wal) leaves the
segments to PostgreSQL's own checkpoints, which remove them within ``max_wal_size`` of
later writes; a table another transaction holds gets vacuumed by the next erasure or by
autovacuum (which frees the space for reuse but does not rewrite the file). Standbys, WAL
archives and backups keep their copies until their own retention ends: see docs/privacy.md.
"""

from collections.abc import Iterable

import asyncpg
import structlog

from planner.store.event_store import Connection

log = structlog.stdlib.get_logger("planner.erasure")

EXISTS = "SELECT to_regclass($1) IS NOT NULL"
SWITCH_WAL = "SELECT pg_switch_wal()"
CHECKPOINT = "CHECKPOINT"
# Every request reads participant_tokens: a vacuum waiting for its lock queues them behind
# it, so it gives up soon (logged) rather than hold them; the rows are deleted regardless.
LOCK_TIMEOUT = "SET lock_timeout = '2s'"
RESET_LOCK_TIMEOUT = "RESET lock_timeout"


async def compact(pool: asyncpg.Pool, tables: Iterable[str]) -> list[str]:
    """Vacuum ``tables`` (names from this package, never from a caller), then switch WAL and
    checkpoint; the steps that could not be done, by name (none when all went well). Never
    raises: the erasure committed before, and a lost connection only leaves the remnants to
    PostgreSQL's own vacuums and checkpoints."""
    steps = [f"vacuum {table}" for table in dict.fromkeys(tables)] + ["switch WAL", "checkpoint"]
    done: list[str] = []
    try:
        async with pool.acquire() as conn:
            await conn.execute(LOCK_TIMEOUT)
            try:
                done = await _compact(conn, list(dict.fromkeys(tables)))
            finally:
                await _reset(conn)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        log.warning("erasure.compaction_failed", error=type(exc).__name__)
    return [step for step in steps if step not in done]


async def _compact(conn: Connection, tables: list[str]) -> list[str]:
    done = []
    for table in tables:
        if not await conn.fetchval(EXISTS, table):
            done.append(f"vacuum {table}")  # nothing to vacuum
            continue
        # An identifier cannot be a parameter; the names are this package's own.
        if await _step(conn, f"VACUUM (FULL, ANALYZE) {table}", f"vacuum {table}"):
            done.append(f"vacuum {table}")
    for statement, step in ((SWITCH_WAL, "switch WAL"), (CHECKPOINT, "checkpoint")):
        if await _step(conn, statement, step):
            done.append(step)
    return done


async def _reset(conn: Connection) -> None:
    """Pooled connections keep no session setting (``store.pool``): reset it, or close it."""
    try:
        await conn.execute(RESET_LOCK_TIMEOUT)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
        conn.terminate()


async def _step(conn: Connection, statement: str, step: str) -> bool:
    try:
        await conn.execute(statement)
    except asyncpg.PostgresError as exc:
        log.warning("erasure.compaction_step_failed", step=step, error=type(exc).__name__)
        return False
    return True
