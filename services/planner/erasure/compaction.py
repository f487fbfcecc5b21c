"""Removing what PostgreSQL keeps of deleted rows, after an erasure committed.

A deleted row stays in its table's files as a dead tuple until a vacuum, and in the WAL
segments that recorded it (its insert, and full-page images of its page) until they are
removed. So, after each erasure: ``VACUUM (FULL, ANALYZE)`` rewrites each table it touched
without the dead rows (the old files are truncated at once and unlinked at the next
checkpoint), and ``pg_statistic`` is rewritten without the statistics that ANALYZE replaced
(personal columns are not sampled at all: migration 0013); then ``pg_switch_wal()`` closes
the current WAL segment and ``CHECKPOINT`` lets PostgreSQL remove the segments before it,
which with ``wal_recycle = off`` (the embedded PostgreSQL's setting; state it in a
production server's configuration too) are deleted rather than renamed for reuse.

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

from common.retention import compaction as compaction_lock
from planner.store.event_store import Connection

log = structlog.stdlib.get_logger("planner.erasure")

EXISTS = "SELECT to_regclass($1) IS NOT NULL"
# ANALYZE replaces a table's statistics, which sample column values: the old ones stay in
# pg_statistic's file as dead rows until it too is rewritten (a superuser's right only).
STATISTICS = "pg_catalog.pg_statistic"
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
    tables = [*dict.fromkeys(tables), STATISTICS]
    steps = [f"vacuum {table}" for table in tables] + ["switch WAL", "checkpoint"]
    done: list[str] = []
    locked = False
    try:
        async with pool.acquire() as conn:
            try:
                locked = await _lock(conn)
                await conn.execute(LOCK_TIMEOUT)
                done = await _compact(conn, tables)
            finally:
                await _reset(conn, locked=locked)
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
        options = "FULL" if table == STATISTICS else "FULL, ANALYZE"
        if await _step(conn, f"VACUUM ({options}) {table}", f"vacuum {table}"):
            done.append(f"vacuum {table}")
    for statement, step in ((SWITCH_WAL, "switch WAL"), (CHECKPOINT, "checkpoint")):
        if await _step(conn, statement, step):
            done.append(step)
    return done


async def _lock(conn: Connection) -> bool:
    """The compaction lock (``common.retention.compaction``), waited for; whether it is held."""
    await conn.execute(compaction_lock.WAIT)
    try:
        await conn.execute(compaction_lock.LOCK, compaction_lock.KEY)
    except asyncpg.LockNotAvailableError:
        log.warning("erasure.compaction_lock_timeout")
        return False
    return True


async def _reset(conn: Connection, *, locked: bool) -> None:
    """Pooled connections keep no session setting or advisory lock (``store.pool``): give
    both back, or close the connection."""
    try:
        if locked:
            await conn.execute(compaction_lock.UNLOCK, compaction_lock.KEY)
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
