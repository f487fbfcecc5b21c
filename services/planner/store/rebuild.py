"""Rebuild read models from events into fresh tables and swap them in, while commands run.

1. Under one REPEATABLE READ snapshot S, read every event the projections follow (large
   pages read ahead, the cyclic garbage collector paused: :mod:`planner.store.replay_pages`)
   and COPY their rows into ``<name>__fresh``; then add the keys. Commands keep
   writing the live tables meanwhile: nothing of theirs is locked.
2. Catch up, unlocked: apply the events whose transaction was not visible in S (committed
   since, whatever their positions: see :mod:`planner.store.event_feed`), in a new
   snapshot S2. This leaves little for the locked step.
3. Swap, in one transaction: lock the live tables (ACCESS EXCLUSIVE, with a lock timeout
   so a long transaction cannot make everyone queue behind us), apply the events not
   visible in S2 (the lock waited for every writer of these tables, so each event whose
   rows went into a live table is committed and seen here), drop the live tables and
   rename the fresh ones. A command that appended its event but waits on the lock to
   write its row has not committed: it is not caught up here, and when the lock is
   released its statement is re-planned against the renamed table and writes there.

Every apply is an idempotent insert, so an event applied twice (by two catch-ups) adds
nothing. ``reapply_from`` is the light repair: events from a position on, inserted into
the live tables, nothing dropped.
"""

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence

import asyncpg
import msgspec

from planner.store import event_feed, replay_pages, unsealing
from planner.store.event_store import Connection, envelopes_of
from planner.store.projections import Projection, Recorded, Row

REPLAY_LOCK_KEY = 7_346_201_857_114_551_003  # one rebuild at a time per database
SWAP_LOCK_TIMEOUT = "2s"
SWAP_ATTEMPTS = 5
PAGE_SIZE = 20_000

TRY_LOCK = "SELECT pg_try_advisory_lock($1)"
UNLOCK = "SELECT pg_advisory_unlock($1)"
MAX_POSITION = "SELECT coalesce(max(position), 0) FROM events"
SET_LOCK_TIMEOUT = "SELECT set_config('lock_timeout', $1, true)"

Progress = Callable[[int, int], None]
"""Called with (position reached, last position) as pages are read."""


class ReplayBusy(Exception):
    """Another rebuild holds the replay lock on this database."""


class SwapTimedOut(Exception):
    """The live tables stayed locked by others through every attempt; nothing was swapped."""


class RebuildResult(msgspec.Struct, frozen=True, kw_only=True):
    projections: tuple[str, ...]
    last_position: int
    """The highest position in the store when the rebuild began (what the rate counts)."""
    events_applied: int
    rows: dict[str, int]
    caught_up: int
    """Events committed during the rebuild, applied by the catch-ups."""
    lock_ms: float
    seconds: float


async def rebuild(
    conn: Connection,
    projections: Sequence[Projection],
    progress: Progress,
    page_size: int = PAGE_SIZE,
) -> RebuildResult:
    started = time.perf_counter()
    if not await conn.fetchval(TRY_LOCK, REPLAY_LOCK_KEY):
        raise ReplayBusy("another `tandem replay` is running on this database")
    try:
        for projection in projections:
            await conn.execute(projection.create_fresh)
        snapshot, last, applied, rows = await _load(conn, projections, progress, page_size)
        for projection in projections:
            await conn.execute(projection.keys_fresh)
        batch = await event_feed.committed_since(conn, snapshot, _filter(projections))
        caught_up = await _apply(conn, projections, batch.envelopes, fresh=True)
        locked, more = await _swap(conn, projections, batch.snapshot)
    finally:
        await conn.fetchval(UNLOCK, REPLAY_LOCK_KEY)
    return RebuildResult(
        projections=tuple(p.name for p in projections),
        last_position=last,
        events_applied=applied,
        rows=rows,
        caught_up=caught_up + more,
        lock_ms=round(locked * 1000, 1),
        seconds=round(time.perf_counter() - started, 3),
    )


async def _load(
    conn: Connection, projections: Sequence[Projection], progress: Progress, page_size: int
) -> tuple[str, int, int, dict[str, int]]:
    """COPY the rows of every event visible in one snapshot; return it and what was read."""
    types = sorted(_filter(projections).event_types or ())
    applied = 0
    with replay_pages.cyclic_gc_paused():
        seen: dict[str, set[Row]] = {p.name: set() for p in projections}
        async with conn.transaction(isolation="repeatable_read"):
            snapshot = str(await conn.fetchval(event_feed.SNAPSHOT))
            last = int(await conn.fetchval(MAX_POSITION))
            # Every key an event of this snapshot was sealed with is in it, made by then.
            keys = await unsealing.read_keys(conn, None)
            async with contextlib.aclosing(replay_pages.pages(conn, types, 0, page_size)) as pages:
                async for rows, next_read in pages:
                    replayed = await replay_pages.decoded(rows, keys)
                    applied += len(replayed)
                    fresh = [(p, _new_rows(p, replayed, seen[p.name])) for p in projections]
                    await asyncio.wait([next_read])  # one connection: its read ends first
                    await _copy(conn, fresh)
                    progress(rows[-1]["position"], last)
        counts = {name: len(keys) for name, keys in seen.items()}
        del seen  # freed now, so the collector never has to look at the keys
    progress(last, last)
    return snapshot, last, applied, counts


async def _copy(conn: Connection, fresh: list[tuple[Projection, list[Row]]]) -> None:
    """COPY each projection's new rows into its fresh table."""
    for projection, records in fresh:
        if records:
            await conn.copy_records_to_table(
                projection.fresh_table, records=records, columns=projection.columns
            )


def _new_rows(projection: Projection, events: Sequence[Recorded], seen: set[Row]) -> list[Row]:
    rows = []
    for recorded in events:
        if recorded.event_type not in projection.event_types:
            continue
        for row in projection.rows(recorded):
            key = row[: projection.key_width]
            if key not in seen:
                seen.add(key)
                rows.append(row)
    return rows


async def _swap(
    conn: Connection, projections: Sequence[Projection], snapshot: str
) -> tuple[float, int]:
    """Lock, catch up what committed since ``snapshot``, rename; (seconds locked, events)."""
    types = list(_filter(projections).event_types or ())
    for _ in range(SWAP_ATTEMPTS):
        try:
            async with conn.transaction():
                await conn.execute(SET_LOCK_TIMEOUT, SWAP_LOCK_TIMEOUT)
                for projection in projections:
                    await conn.execute(projection.lock)
                locked_at = time.perf_counter()
                # A new statement after the lock: its snapshot sees every writer we waited for.
                rows = await conn.fetch(event_feed.COMMITTED_SINCE, snapshot, None, types)
                caught_up = await _apply(
                    conn, projections, await envelopes_of(conn, rows), fresh=True
                )
                for projection in projections:
                    await conn.execute(projection.swap)
            return time.perf_counter() - locked_at, caught_up
        except asyncpg.LockNotAvailableError:
            # Someone held a table past the timeout: catch up unlocked, then try again.
            batch = await event_feed.committed_since(conn, snapshot, _filter(projections))
            await _apply(conn, projections, batch.envelopes, fresh=True)
            snapshot = batch.snapshot
    raise SwapTimedOut(f"could not lock {', '.join(p.name for p in projections)}")


async def reapply_from(
    conn: Connection,
    projections: Sequence[Projection],
    from_position: int,
    progress: Progress,
    page_size: int = PAGE_SIZE,
) -> int:
    """Insert the rows of events from ``from_position`` on into the live tables (idempotent)."""
    types = sorted(_filter(projections).event_types or ())
    last = int(await conn.fetchval(MAX_POSITION))
    applied = 0
    async with contextlib.aclosing(
        replay_pages.pages(conn, types, from_position - 1, page_size)
    ) as pages:
        async for rows, next_read in pages:
            await asyncio.wait([next_read])  # one connection: its read ends first
            # Read after the page: the keys of its events, committed before it was read.
            keys = await unsealing.read_keys(conn, unsealing.subjects_of(rows))
            replayed = await replay_pages.decoded(rows, keys)
            applied += await _apply(conn, projections, replayed, fresh=False)
            progress(rows[-1]["position"], last)
    progress(last, last)
    return applied


async def _apply(
    conn: Connection, projections: Sequence[Projection], events: Sequence[Recorded], *, fresh: bool
) -> int:
    for projection in projections:
        rows = [
            row
            for recorded in events
            if recorded.event_type in projection.event_types
            for row in projection.rows(recorded)
        ]
        if rows:
            await conn.executemany(
                projection.insert_fresh if fresh else projection.insert_live, rows
            )
    return len(events)


def _filter(projections: Sequence[Projection]) -> event_feed.Filter:
    types = sorted(set().union(*(p.event_types for p in projections)))
    return event_feed.Filter(event_types=tuple(types))
