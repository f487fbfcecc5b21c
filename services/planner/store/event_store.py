"""The event store over asyncpg: append with an expected version, read streams and history.

``append`` writes into the caller's transaction, so events, their outbox rows and the NOTIFY
that wakes the relay commit or vanish together; outside a transaction it is one statement.
asyncpg errors are translated here, once.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Literal
from uuid import UUID

import asyncpg
import msgspec
from asyncpg.pool import PoolConnectionProxy

from contracts import events as catalogue
from contracts.envelope import Envelope, Metadata
from contracts.events import PlanEvent
from contracts.ids import EventId
from contracts.upcasting import current_version, decode_stored
from planner.store import chain

Connection = asyncpg.Connection | PoolConnectionProxy  # what append needs: one connection
Executor = Connection | asyncpg.Pool  # what reads accept: a connection or a pool

Expected = int | Literal["any", "no_stream"]
"""An exact stream version, ``any``, or ``no_stream`` (the stream must not exist yet)."""

OUTBOX_CHANNEL = "tandem_outbox"

# Unique constraints whose violation at insert means a concurrent append committed first.
STREAM_VERSION_KEY = "events_stream_version_key"
EVENT_ID_KEY = "events_event_id_key"

# Which given events are stored, and each exactly as given? (jsonb ignores key order.)
FIND_STORED = """
SELECT e.event_id, e.position, e.stream_version,
       (e.stream_id = $1 AND e.event_type = n.event_type AND e.payload = n.payload::jsonb)
           AS same
FROM unnest($2::uuid[], $3::text[], $4::text[]) WITH ORDINALITY
         AS n(event_id, event_type, payload, ord)
JOIN events AS e ON e.event_id = n.event_id
ORDER BY n.ord
"""

STREAM_VERSION = "SELECT coalesce(max(stream_version), 0) FROM events WHERE stream_id = $1"
# The stream's head: its version, the hash the next event chains to, and its time.
STREAM_HEAD = """
SELECT stream_version, hash, recorded_at FROM events WHERE stream_id = $1
ORDER BY stream_version DESC LIMIT 1
"""

# One round trip for the whole batch: events with consecutive versions after $2, and
# one outbox row per event (a data-modifying CTE runs although nothing selects from it).
# {on_head} is empty for a new stream, or ON_HEAD: insert only while the stream's last
# event is still at version $2 with hash $10 (the head the caller knows, checked here).
APPEND_TEMPLATE = """
WITH appended AS (
    INSERT INTO events
        (stream_id, stream_version, event_id, event_type, schema_version, payload, metadata,
         recorded_at, hash)
    SELECT $1, ($2::int + n.ord)::int, n.event_id, n.event_type, n.schema_version,
           n.payload::jsonb, $3::jsonb, $8, n.hash
    FROM unnest($4::uuid[], $5::text[], $6::int[], $7::text[], $9::bytea[]) WITH ORDINALITY
             AS n(event_id, event_type, schema_version, payload, hash, ord)
    {on_head}
    ORDER BY n.ord
    RETURNING position, event_id, stream_id, stream_version
), queued AS (
    INSERT INTO outbox (position, event_id, stream_id)
    SELECT position, event_id, stream_id FROM appended
)
SELECT position, stream_version FROM appended ORDER BY stream_version
"""
ON_HEAD = """WHERE EXISTS (
        SELECT FROM (SELECT stream_version, hash FROM events WHERE stream_id = $1
                     ORDER BY stream_version DESC LIMIT 1) AS head
        WHERE head.stream_version = $2 AND head.hash IS NOT DISTINCT FROM $10::bytea)"""
APPEND = APPEND_TEMPLATE.format(on_head="")
APPEND_ON_HEAD = APPEND_TEMPLATE.format(on_head=ON_HEAD)

NOTIFY = "SELECT pg_notify($1, $2)"  # delivered at commit, and only if it commits

READ_STREAM = """
SELECT position, stream_id, stream_version, event_id, event_type, schema_version,
       payload::text AS payload, metadata::text AS metadata, recorded_at, hash
FROM events
WHERE stream_id = $1 AND stream_version > $2 AND ($3::timestamptz IS NULL OR recorded_at <= $3)
ORDER BY stream_version LIMIT $4
"""

READ_ALL = """
SELECT position, stream_id, stream_version, event_id, event_type, schema_version,
       payload::text AS payload, metadata::text AS metadata, recorded_at
FROM events WHERE position > $1 ORDER BY position LIMIT $2
"""

_metadata_decoder = msgspec.json.Decoder(Metadata)
_encoder = msgspec.json.Encoder()


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


async def append(
    conn: Connection,
    stream_id: UUID,
    events: Sequence[NewEvent],
    expected: Expected,
    metadata: Metadata,
    *,
    chain_key: bytes,
    notify: bool = True,
    may_be_stored: bool = True,
    head: StreamHead | None = None,
) -> AppendResult:
    """Append ``events`` to a stream: in the caller's open transaction, or as one statement.

    Inside a transaction the events commit with whatever else the caller writes; after a
    raised conflict that transaction is aborted: retry with a new one. Outside one, the
    append is a single statement, its own transaction (events and outbox rows together).
    A retry of an append that already committed (the same ids with the same content) is a
    success that writes nothing, whatever ``expected`` says. ``chain_key`` (see ``chain``)
    keys the hash each event records over its content and the hash before it in the stream.
    ``notify`` sends the outbox NOTIFY that wakes the relay (inside the caller's
    transaction, or right after the statement); pass False and call
    ``planner.relay.wake.after_commit`` once committed, so the transaction does not NOTIFY.
    ``may_be_stored=False`` says every event id was made for this very call, so no earlier
    append can have stored it, and skips the look for a retried append. ``head``, the stream's
    last event as the caller knows it (just read by ``read_stream_and_head``, or kept in
    memory), spares reading it again when it is at ``expected``. Whichever head the append
    goes on, the insert itself checks that it is still the stream's last event (version and
    hash): a stream that moved, or a database behind or elsewhere (restored, re-created),
    is a conflict, never a gap.
    """
    standalone = not conn.is_in_transaction()
    ids = [new.event_id for new in events]
    for index, event_id in enumerate(ids):
        if event_id in ids[:index]:
            raise EventIdConflict(event_id)
    types = [catalogue.event_type(new.event) for new in events]
    payloads = [catalogue.encode(new.event).decode() for new in events]
    with _translated(stream_id, expected):
        if may_be_stored and not standalone:  # a clash would abort the caller's transaction
            duplicate = await _already_stored(conn, stream_id, ids, types, payloads)
            if duplicate is not None:
                return duplicate
        # A new stream has no head to read; should it exist, the insert clashes.
        if head is None or head.version != expected:
            head = (
                None
                if standalone and expected == "no_stream"
                else _head(await conn.fetchrow(STREAM_HEAD, stream_id))
            )
        current, previous = (0, None) if head is None else (head.version, head.hash)
        if expected != "any" and current != (0 if expected == "no_stream" else expected):
            return await _refused(conn, stream_id, expected, ids, types, payloads, current)
        if not events:
            return AppendResult(stream_id=stream_id, version=current, positions=(), duplicate=False)
        encoded_metadata = _encoder.encode(metadata).decode()
        versions = [current_version(event_type) for event_type in types]
        links = [
            chain.Link(event_id=i, event_type=t, schema_version=v, payload=p)
            for i, t, v, p in zip(ids, types, versions, payloads, strict=True)
        ]
        # Never before the event it follows, whatever this host's clock says, so reading a
        # stream "as of" a time never leaves a gap in its versions.
        now = datetime.now(UTC)
        recorded_at = now if head is None else max(now, head.recorded_at)
        hashes = chain.link_batch(
            chain_key, previous, stream_id, current, links, recorded_at, encoded_metadata
        )
        arguments = (current, encoded_metadata, ids, types, versions, payloads, recorded_at)
        statement, checked = (APPEND, ()) if head is None else (APPEND_ON_HEAD, (previous,))
        try:
            rows = await conn.fetch(statement, stream_id, *arguments, hashes, *checked)
        except asyncpg.UniqueViolationError:
            if not standalone:
                raise  # translated: the caller's transaction is aborted, it must retry
            return await _refused(conn, stream_id, expected, ids, types, payloads, None)
        if not rows:  # the head is no longer the stream's last event: nothing written
            raise StreamVersionConflict(stream_id, expected, None)
        if notify:
            await conn.execute(NOTIFY, OUTBOX_CHANNEL, str(stream_id))
    version = rows[-1]["stream_version"]
    return AppendResult(
        stream_id=stream_id,
        version=version,
        positions=tuple(row["position"] for row in rows),
        duplicate=False,
        head=StreamHead(version=version, hash=hashes[-1], recorded_at=recorded_at),
    )


async def _refused(
    conn: Connection,
    stream_id: UUID,
    expected: Expected,
    ids: list[EventId],
    types: list[str],
    payloads: list[str],
    current: int | None,
) -> AppendResult:
    """Outside a transaction, a refused append may be a retry of one that committed."""
    if not conn.is_in_transaction():
        duplicate = await _already_stored(conn, stream_id, ids, types, payloads)
        if duplicate is not None:
            return duplicate
        if current is None:
            current = int(await conn.fetchval(STREAM_VERSION, stream_id))
    raise StreamVersionConflict(stream_id, expected, current)


async def _already_stored(
    conn: Connection, stream_id: UUID, ids: list[EventId], types: list[str], payloads: list[str]
) -> AppendResult | None:
    """The original result when all these events are stored as given; None when none is."""
    rows = await conn.fetch(FIND_STORED, stream_id, ids, types, payloads) if ids else []
    if not rows:
        return None
    for row in rows:
        if not row["same"]:
            raise EventIdConflict(row["event_id"])
    if len(rows) != len(ids):
        # Some ids are stored as given and some not at all: ids reused across batches,
        # which no retry of a single append produces.
        stored = {row["event_id"] for row in rows}
        raise EventIdConflict(next(event_id for event_id in ids if event_id not in stored))
    return AppendResult(
        stream_id=stream_id,
        version=max(row["stream_version"] for row in rows),
        positions=tuple(row["position"] for row in rows),
        duplicate=True,
    )


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
    with _translated():
        rows = await conn.fetch(READ_STREAM, stream_id, after_version, until, limit)
    return [_envelope(row) for row in rows]


async def read_stream_and_head(
    conn: Executor, stream_id: UUID, *, after_version: int = 0
) -> tuple[list[Envelope], StreamHead | None]:
    """The stream's events after ``after_version``, and the last of them as a head."""
    with _translated():
        rows = await conn.fetch(READ_STREAM, stream_id, after_version, None, None)
    return [_envelope(row) for row in rows], _head(rows[-1] if rows else None)


def _head(row: asyncpg.Record | None) -> StreamHead | None:
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
    with _translated():
        rows = await conn.fetch(READ_ALL, after_position, limit)
    return [_envelope(row) for row in rows]


async def stream_version(conn: Executor, stream_id: UUID) -> int:
    """The stream's current version; 0 when it has no events."""
    with _translated():
        return int(await conn.fetchval(STREAM_VERSION, stream_id))


def _envelope(row: asyncpg.Record) -> Envelope:
    """A stored row as an envelope carrying the event in its current shape (upcast)."""
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
        event=decode_stored(event_type, row["schema_version"], row["payload"]),
    )


@contextmanager
def _translated(stream_id: UUID | None = None, expected: Expected = "any") -> Iterator[None]:
    """Turn asyncpg's errors into the store's, once, here."""
    try:
        yield
    except asyncpg.UniqueViolationError as error:
        if stream_id is None or error.constraint_name not in {STREAM_VERSION_KEY, EVENT_ID_KEY}:
            raise EventStoreError(str(error)) from error
        # A concurrent append committed first. On the event id it was most likely this
        # same append, retried or racing: the retry finds it stored and succeeds.
        raise StreamVersionConflict(stream_id, expected, None) from error
    except (asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        raise EventStoreError(str(error)) from error
