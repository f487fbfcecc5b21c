"""Appending to a stream: an expected version, the hash chain, and retries that succeed.

``append`` writes into the caller's transaction, so events, their outbox rows and the NOTIFY
that wakes the relay commit or vanish together; outside a transaction it is one statement.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple
from uuid import UUID

import asyncpg
import msgspec

from contracts import events as catalogue
from contracts.envelope import Metadata
from contracts.ids import EventId
from contracts.upcasting import current_version
from planner.store import chain, sealing
from planner.store.event_store import (
    NOTIFY,
    OUTBOX_CHANNEL,
    STREAM_VERSION,
    AppendResult,
    Connection,
    EventIdConflict,
    Expected,
    NewEvent,
    StreamHead,
    StreamVersionConflict,
    head_of,
    translated,
)

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

_encoder = msgspec.json.Encoder()


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
    A retry of an append that already committed (the same ids with the same content, sealed
    or not) is a success that writes nothing, whatever ``expected`` says. ``chain_key`` keys
    the hash chain (``chain``) over the stored payloads, their personal fields sealed.
    ``notify`` sends the outbox NOTIFY that wakes the relay (inside the caller's
    transaction, or right after the statement); pass False and call
    ``planner.relay.wake.after_commit`` once committed, so the transaction does not NOTIFY.
    ``may_be_stored=False`` says every event id was made for this very call, so no earlier
    append can have stored it, and skips the look for a retried append. ``head``, the stream's
    last event as the caller knows it (just read by ``read_stream_and_head``, or kept in
    memory), spares reading it again when it is at ``expected``. The insert itself checks
    that its head is still the stream's last event (version and hash): a stream that moved,
    or a database behind or elsewhere (restored, re-created), is a conflict, never a gap.
    """
    with translated(stream_id, expected):
        stored = await sealing.sealed_payloads(conn, stream_id, events, metadata, chain_key)
        call = _Append(conn, stream_id, expected, _encoded(events, stored))
        if may_be_stored and call.in_transaction:  # a clash would abort the caller's transaction
            duplicate = await call.stored_already()
            if duplicate is not None:
                return duplicate
        head = await call.head(head)
        current = 0 if head is None else head.version
        if expected != "any" and current != (0 if expected == "no_stream" else expected):
            return await call.refused(current)
        if not events:
            return AppendResult(stream_id=stream_id, version=current, positions=(), duplicate=False)
        return await call.insert(head, _encoder.encode(metadata).decode(), chain_key, notify=notify)


class _Encoded(NamedTuple):
    ids: list[EventId]
    types: list[str]
    payloads: list[str]
    events: Sequence[NewEvent]


def _encoded(events: Sequence[NewEvent], payloads: list[str]) -> _Encoded:
    """The events in the columns they are stored in; an id twice in one batch is refused."""
    ids = [new.event_id for new in events]
    for index, event_id in enumerate(ids):
        if event_id in ids[:index]:
            raise EventIdConflict(event_id)
    return _Encoded(ids, [catalogue.event_type(n.event) for n in events], payloads, events)


@dataclass(frozen=True)
class _Append:
    """One call of ``append``: its connection, stream, expected version and events."""

    conn: Connection
    stream_id: UUID
    expected: Expected
    batch: _Encoded

    @property
    def in_transaction(self) -> bool:  # else the append is a statement of its own
        return self.conn.is_in_transaction()

    async def head(self, known: StreamHead | None) -> StreamHead | None:
        """``known`` when it is at the expected version, else the stream's head as read."""
        if known is not None and known.version == self.expected:
            return known
        if not self.in_transaction and self.expected == "no_stream":
            return None  # a new stream has no head to read; should it exist, the insert clashes
        return head_of(await self.conn.fetchrow(STREAM_HEAD, self.stream_id))

    async def insert(
        self, head: StreamHead | None, metadata: str, chain_key: bytes, *, notify: bool
    ) -> AppendResult:
        """Insert the batch after ``head``; the statement checks it is still the stream's last."""
        # Never before the event it follows, whatever this host's clock says, so reading a
        # stream "as of" a time never leaves a gap in its versions.
        now = datetime.now(UTC)
        recorded_at = now if head is None else max(now, head.recorded_at)
        hashes, rows = await self._insert(head, metadata, chain_key, recorded_at)
        if rows is None:  # a clash outside a transaction: a retry, or a conflict
            return await self.refused(None)
        if not rows:  # the head is no longer the stream's last event: nothing written
            raise StreamVersionConflict(self.stream_id, self.expected, None)
        if notify:
            await self.conn.execute(NOTIFY, OUTBOX_CHANNEL, str(self.stream_id))
        version = rows[-1]["stream_version"]
        return AppendResult(
            stream_id=self.stream_id,
            version=version,
            positions=tuple(row["position"] for row in rows),
            duplicate=False,
            head=StreamHead(version=version, hash=hashes[-1], recorded_at=recorded_at),
        )

    async def _insert(
        self, head: StreamHead | None, metadata: str, chain_key: bytes, recorded_at: datetime
    ) -> tuple[list[bytes], list[asyncpg.Record] | None]:
        """The events' hashes, and the rows inserted (None: a unique key clashed, outside a
        transaction; inside one the clash is raised, for the caller must retry)."""
        ids, types, payloads, _ = self.batch
        versions = [current_version(event_type) for event_type in types]
        links = [
            chain.Link(event_id=i, event_type=t, schema_version=v, payload=p)
            for i, t, v, p in zip(ids, types, versions, payloads, strict=True)
        ]
        current, previous = (0, None) if head is None else (head.version, head.hash)
        hashes = chain.link_batch(
            chain_key, previous, self.stream_id, current, links, recorded_at, metadata
        )
        columns = (ids, types, versions, payloads, recorded_at, hashes)
        statement, checked = (APPEND, ()) if head is None else (APPEND_ON_HEAD, (previous,))
        try:
            rows = await self.conn.fetch(
                statement, self.stream_id, current, metadata, *columns, *checked
            )
        except asyncpg.UniqueViolationError:
            if self.in_transaction:
                raise  # translated: the caller's transaction is aborted, it must retry
            return hashes, None
        return hashes, rows

    async def refused(self, current: int | None) -> AppendResult:
        """Outside a transaction, a refused append may be a retry of one that committed."""
        if not self.in_transaction:
            duplicate = await self.stored_already()
            if duplicate is not None:
                return duplicate
            if current is None:
                current = int(await self.conn.fetchval(STREAM_VERSION, self.stream_id))
        raise StreamVersionConflict(self.stream_id, self.expected, current)

    async def stored_already(self) -> AppendResult | None:
        """The original result when all these events are stored as given; None when none is."""
        ids, types, payloads, events = self.batch
        rows = await self.conn.fetch(FIND_STORED, self.stream_id, ids, types, payloads)
        if not rows:
            return None
        for row in rows:
            if not row["same"] and not await sealing.same_opened(
                self.conn, self.stream_id, row, events
            ):
                raise EventIdConflict(row["event_id"])
        if len(rows) != len(ids):
            # Some ids are stored as given and some not at all: ids reused across batches,
            # which no retry of a single append produces.
            stored = {row["event_id"] for row in rows}
            raise EventIdConflict(next(event_id for event_id in ids if event_id not in stored))
        return AppendResult(
            stream_id=self.stream_id,
            version=max(row["stream_version"] for row in rows),
            positions=tuple(row["position"] for row in rows),
            duplicate=True,
        )
