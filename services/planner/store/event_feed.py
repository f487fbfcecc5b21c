"""Events committed since a snapshot: exact, whatever order their positions commit in.

A position is drawn at INSERT but visible only at COMMIT, so a reader that asks for
"position > last seen" skips a transaction that commits late. Each read here runs in a
REPEATABLE READ transaction and returns the snapshot it saw (``pg_current_snapshot()``);
the next read asks for the events whose transaction was *not visible* in that snapshot
(the ``xact_id`` column of migration 0004). That set is exactly what committed in
between: nothing is skipped and nothing is returned twice.
"""

from uuid import UUID

import msgspec

from contracts.envelope import Envelope
from planner.store.event_store import Connection, envelopes_of

# Rows written before migration 0004 have no xact_id: they committed before any snapshot
# a reader holds, so they are never "since" it.
SNAPSHOT = "SELECT pg_current_snapshot()::text"

LATEST = """
SELECT position, stream_id, stream_version, event_id, event_type, schema_version,
       payload::text AS payload, metadata::text AS metadata, recorded_at
FROM events
WHERE ($1::uuid IS NULL OR stream_id = $1) AND ($2::text[] IS NULL OR event_type = ANY($2))
ORDER BY position DESC LIMIT $3
"""

COMMITTED_SINCE = """
SELECT position, stream_id, stream_version, event_id, event_type, schema_version,
       payload::text AS payload, metadata::text AS metadata, recorded_at
FROM events
WHERE xact_id >= pg_snapshot_xmin($1::text::pg_snapshot)
  AND NOT pg_visible_in_snapshot(xact_id, $1::text::pg_snapshot)
  AND ($2::uuid IS NULL OR stream_id = $2) AND ($3::text[] IS NULL OR event_type = ANY($3))
ORDER BY position
"""


class Filter(msgspec.Struct, frozen=True, kw_only=True):
    """Which events a reader wants: one stream, some event types, or everything (None)."""

    stream_id: UUID | None = None
    event_types: tuple[str, ...] | None = None


class Batch(msgspec.Struct, frozen=True, kw_only=True):
    snapshot: str
    """Pass to :func:`committed_since` for what commits next (``pg_snapshot`` as text)."""
    envelopes: list[Envelope]


async def latest(conn: Connection, wanted: Filter, limit: int) -> Batch:
    """The last ``limit`` matching events in position order, and the snapshot they were read in."""
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        snapshot = str(await conn.fetchval(SNAPSHOT))
        rows = await conn.fetch(LATEST, wanted.stream_id, _types(wanted), limit)
        envelopes = await envelopes_of(conn, rows[::-1])
    return Batch(snapshot=snapshot, envelopes=envelopes)


async def committed_since(conn: Connection, snapshot: str, wanted: Filter) -> Batch:
    """Matching events committed since ``snapshot`` was taken, in position order."""
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        now = str(await conn.fetchval(SNAPSHOT))
        rows = await conn.fetch(COMMITTED_SINCE, snapshot, wanted.stream_id, _types(wanted))
        envelopes = await envelopes_of(conn, rows)
    return Batch(snapshot=now, envelopes=envelopes)


def _types(wanted: Filter) -> list[str] | None:
    return None if wanted.event_types is None else list(wanted.event_types)
