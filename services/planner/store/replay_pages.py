"""Reading events for a replay, fast: only what the projections read, in large pages, each
read ahead while the one before is decoded, with the cyclic garbage collector paused.

``rebuild`` and ``reapply_from`` (in :mod:`planner.store.rebuild`) page through the store
with these.
"""

import asyncio
import contextlib
import gc
from collections.abc import AsyncGenerator, Iterator
from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from contracts.events import PlanEvent
from contracts.upcasting import decode_stored
from planner.store.event_store import Connection
from planner.store.unsealing import Keys, opened_with

# Only what the projections read (``projections.Recorded``): no ids, no metadata.
PAGE = """
SELECT position, stream_id, event_id, event_type, schema_version, payload::text AS payload,
       recorded_at
FROM events WHERE position > $1 AND event_type = ANY($2::text[])
ORDER BY position LIMIT $3
"""


class Replayed(msgspec.Struct, frozen=True, gc=False):
    """A stored event as a replay reads it (``projections.Recorded``), lighter than an
    ``Envelope``. Untracked by the cyclic collector: it holds no container of its own."""

    stream_id: UUID
    event_type: str
    recorded_at: datetime
    event: PlanEvent


def _replayed(row: asyncpg.Record, keys: Keys) -> Replayed:
    event_type = row["event_type"]
    payload = opened_with(keys, row["event_id"], row["payload"])
    event = decode_stored(event_type, row["schema_version"], payload)
    return Replayed(row["stream_id"], event_type, row["recorded_at"], event)


Page = list[asyncpg.Record]
DECODE_SLICE = 2000  # rows decoded between looks at the socket the next page arrives on


async def decoded(rows: Page, keys: Keys) -> list[Replayed]:
    """The page's events, their sealed fields opened with ``keys`` (read in the same snapshot,
    or after the page), yielding to the loop every slice so the read ahead keeps flowing
    (a full socket buffer would stop the server sending)."""
    events: list[Replayed] = []
    for start in range(0, len(rows), DECODE_SLICE):
        events += [_replayed(row, keys) for row in rows[start : start + DECODE_SLICE]]
        await asyncio.sleep(0)
    return events


async def pages(
    conn: Connection, types: list[str], after: int, page_size: int
) -> AsyncGenerator[tuple[Page, asyncio.Task[Page]], None]:
    """Pages of events of ``types`` after position ``after`` in position order, each with the
    read of the next one.

    That read is sent before the page is handed out: the server reads and sends page n + 1
    while this process decodes page n, so two cores work side by side, not in turns.
    """
    rows: Page = await conn.fetch(PAGE, after, types, page_size)
    while rows:
        next_read = asyncio.ensure_future(conn.fetch(PAGE, rows[-1]["position"], types, page_size))
        try:
            await asyncio.sleep(0)  # the task's first step sends the query
            yield rows, next_read
            rows = await next_read
        finally:
            if not next_read.done():  # the caller stopped early: leave the connection idle
                next_read.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await next_read


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector through a bulk load.

    A page holds hundreds of thousands of objects that live until the page is done, and
    the collector's passes over them would take 45% of a rebuild (measured with py-spy). None of
    them forms a cycle, so reference counting frees them all; the collector resumes after.
    `tandem replay` runs alone in its process, so nothing else goes without it meanwhile.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
