"""The event store over asyncpg: what it holds, and reading it back (writes: ``appending``).

Stored rows become envelopes by one rule, ``envelopes_of``: their personal fields opened
(``unsealing``), each event in its type's current shape (upcast). The outbox, the event
feed and the rebuild read rows of their own and use the same rule. asyncpg errors are
translated here (``translated``), once.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Literal
from uuid import UUID

import asyncpg
import msgspec
from asyncpg.pool import PoolConnectionProxy

from contracts.envelope import Envelope, Metadata
from contracts.events import PlanEvent
from contracts.ids import EventId
from contracts.upcasting import current_version, decode_stored
from planner.store import unsealing

Connection = asyncpg.Connection | PoolConnectionProxy  # what append needs: one connection
Executor = Connection | asyncpg.Pool  # what reads accept: a connection or a pool

Expected = int | Literal["any", "no_stream"]
"""An exact stream version, ``any``, or ``no_stream`` (the stream must not exist yet)."""

OUTBOX_CHANNEL = "tandem_outbox"

# Unique constraints whose violation at insert means a concurrent append committed first.
STREAM_VERSION_KEY = "events_stream_version_key"
EVENT_ID_KEY = "events_event_id_key"

STREAM_VERSION = "SELECT coalesce(max(stream_version), 0) FROM events WHERE stream_id = $1"
# A plan's stream starts with plan.created; a delivery stream (an activation's) never does.
IS_PLAN = """
SELECT EXISTS (SELECT 1 FROM events
               WHERE stream_id = $1 AND stream_version = 1 AND event_type = 'plan.created')
"""
NOTIFY = "SELECT pg_notify($1, $2)"  # delivered at commit, and only if it commits

READ_STREAM = """
SELECT position, stream_id, stream_version, event_id, event_type, schema_version,
       payload::text AS payload, metadata::text AS metadata, recorded_at, hash
FROM events
WHERE stream_id = $1 AND stream_version > $2 AND ($3::timestamptz IS NULL OR recorded_at <= $3)
ORDER BY stream_version LIMIT $4
"""

# Several streams at once (an activation's delivery streams), in the order they were stored.
READ_STREAMS = """
SELECT position, stream_id, stream_version, event_id, event_type, schema_version,
       payload::text AS payload, metadata::text AS metadata, recorded_at, hash
FROM events
WHERE stream_id = ANY($1::uuid[]) AND ($2::timestamptz IS NULL OR recorded_at <= $2)
ORDER BY position
"""

READ_ALL = """
SELECT position, stream_id, stream_version, event_id, event_type, schema_version,
       payload::text AS payload, metadata::text AS metadata, recorded_at
FROM events WHERE position > $1 ORDER BY position LIMIT $2
"""

_metadata_decoder = msgspec.json.Decoder(Metadata)


class NewEvent(msgspec.Struct, frozen=True, kw_only=True):
    event_id: EventId
    event: PlanEvent


class StreamHead(msgspec.Struct, frozen=True, kw_only=True):
    """A stream's last event as the next append needs it: its version, hash and time."""

    version: int
    hash: bytes | None  # None before the hash chain (migration 0005)
    recorded_at: datetime


class AppendResult(msgspec.Struct, frozen=True, kw_only=True):
    stream_id: UUID
    version: int
    """The stream version after the append (for a duplicate: of its last event)."""
    positions: tuple[int, ...]
    duplicate: bool
    """True when these very events were already stored: nothing was appended."""
    head: StreamHead | None = None
    """The stream's new head, its last appended event (None when nothing was appended)."""


class EventStoreError(Exception):
    """The database failed in a way the store does not classify further."""


class StreamVersionConflict(EventStoreError):
    """The stream moved on: reload, decide, retry. ``actual`` is None if lost at insert."""

    def __init__(self, stream_id: UUID, expected: Expected, actual: int | None) -> None:
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual
        super().__init__(f"stream {stream_id}: expected version {expected}, found {actual}")


class EventIdConflict(EventStoreError):
    """An event id is already used by different content. Retrying cannot help."""

    def __init__(self, event_id: UUID) -> None:
        self.event_id = event_id
        super().__init__(f"event id {event_id} is already used by a different event")


async def read_stream(
    conn: Executor,
    stream_id: UUID,
    *,
    until: datetime | None = None,
    after_version: int = 0,
    limit: int | None = None,
) -> list[Envelope]:
    """A stream's events in version order; with ``until``, only those recorded by then."""
    if until is not None and until.tzinfo is None:
        msg = "until must be timezone-aware"
        raise ValueError(msg)
    _, envelopes = await _read(conn, READ_STREAM, stream_id, after_version, until, limit)
    return envelopes


async def read_streams(
    conn: Executor, stream_ids: Sequence[UUID], *, until: datetime | None = None
) -> list[Envelope]:
    """The events of every stream named, in position order; with ``until``, recorded by then."""
    if not stream_ids:
        return []
    _, envelopes = await _read(conn, READ_STREAMS, list(stream_ids), until)
    return envelopes


async def read_stream_and_head(
    conn: Executor, stream_id: UUID, *, after_version: int = 0
) -> tuple[list[Envelope], StreamHead | None]:
    """The stream's events after ``after_version``, and the last of them as a head."""
    rows, envelopes = await _read(conn, READ_STREAM, stream_id, after_version, None, None)
    return envelopes, head_of(rows[-1] if rows else None)


def head_of(row: asyncpg.Record | None) -> StreamHead | None:
    """A stream's head from a row with its last event's version, hash and time."""
    if row is None:
        return None
    return StreamHead(
        version=row["stream_version"], hash=row["hash"], recorded_at=row["recorded_at"]
    )


async def read_all(conn: Executor, *, after_position: int = 0, limit: int = 1000) -> list[Envelope]:
    """Every stream's events in position order, for replay and rebuilding read models.

    Not a live feed: a transaction that commits late can add a position below one already
    read (see the outbox migration). Follow the outbox for new events.
    """
    _, envelopes = await _read(conn, READ_ALL, after_position, limit)
    return envelopes


async def _read(
    conn: Executor, query: str, *args: object
) -> tuple[list[asyncpg.Record], list[Envelope]]:
    """Rows and their envelopes, read on one connection (a pool's held for both queries)."""
    with translated():
        if isinstance(conn, asyncpg.Pool):
            async with conn.acquire() as held:
                return await _read(held, query, *args)
        rows = await conn.fetch(query, *args)
        return rows, await envelopes_of(conn, rows)


async def stream_version(conn: Executor, stream_id: UUID) -> int:
    """The stream's current version; 0 when it has no events."""
    with translated():
        return int(await conn.fetchval(STREAM_VERSION, stream_id))


async def is_plan(conn: Executor, stream_id: UUID) -> bool:
    """Whether ``stream_id`` is a plan's stream (not an activation's delivery stream)."""
    with translated():
        return bool(await conn.fetchval(IS_PLAN, stream_id))


async def envelopes_of(conn: Executor, rows: Sequence[asyncpg.Record]) -> list[Envelope]:
    """Stored rows as envelopes, their sealed fields opened (one query for all their keys)."""
    payloads = await unsealing.opened(conn, rows)
    return [envelope_of(row, payload) for row, payload in zip(rows, payloads, strict=True)]


def envelope_of(row: asyncpg.Record, payload: str) -> Envelope:
    """A stored row as an envelope carrying the event in its current shape (upcast), with
    ``payload``: the row's own, its sealed fields opened (``envelopes_of``)."""
    event_type = row["event_type"]
    return Envelope(
        event_id=row["event_id"],
        stream_id=row["stream_id"],
        stream_version=row["stream_version"],
        position=row["position"],
        event_type=event_type,
        schema_version=current_version(event_type),
        recorded_at=row["recorded_at"],
        metadata=_metadata_decoder.decode(row["metadata"]),
        event=decode_stored(event_type, row["schema_version"], payload),
    )


@contextmanager
def translated(stream_id: UUID | None = None, expected: Expected = "any") -> Iterator[None]:
    """Turn asyncpg's errors into the store's, once, here."""
    try:
        yield
    except asyncpg.UniqueViolationError as error:
        if stream_id is None or error.constraint_name not in {STREAM_VERSION_KEY, EVENT_ID_KEY}:
            raise EventStoreError(str(error)) from error
        # A concurrent append committed first. On the event id it was most likely this
        # same append, retried or racing: the retry finds it stored and succeeds.
        raise StreamVersionConflict(stream_id, expected, None) from error
    # A connection the server dropped mid-statement (a shutdown) can refuse the next one as
    # still busy (asyncpg's InternalClientError): that is a lost session too.
    except (asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError) as error:
        raise EventStoreError(str(error)) from error
