"""Export the event store as NDJSON, and import such a file into an empty store.

One line per event (``contracts.export.ExportLine``, whose JSON Schema is committed in
``contracts/schema/export_line.json``), keys sorted, payload and metadata exactly as stored
(canonical JSON, the shape of the version recorded, never upcast), with the event's hash.
So a backup round-trips byte for byte (export → import → export), and the hash chain
still verifies after a restore.

A restore marks every event published: the events happened, and their alerts went out,
long ago; publishing them again could page people about what is over. Accounts
(participants' tokens, operator tokens) are not events and are not in the file.
"""

from collections.abc import AsyncIterator, Callable, Iterable
from uuid import UUID

import asyncpg
import msgspec

from contracts import upcasting
from contracts.events import PlanEvent
from contracts.export import DECODER, ExportLine, encode_line
from contracts.upcasting import current_version, decode_stored
from planner.store import key_backup, read_models, unsealing
from planner.store.event_store import Connection

PAGE = 5000

# A plan's events: its own stream, and its activations' delivery streams (which name it).
OF_PLAN = "($3::uuid IS NULL OR stream_id = $3 OR payload->>'plan_id' = $3::text)"
EXPORT_TEMPLATE = """
SELECT position, stream_id, stream_version, event_id, event_type, schema_version,
       payload::text AS payload, metadata::text AS metadata, recorded_at, hash
FROM events
WHERE position > $1 AND ($2::bigint IS NULL OR position <= $2) AND {of_plan}
ORDER BY position LIMIT $4
"""
COUNT_TEMPLATE = """
SELECT count(*) FROM events
WHERE position >= $1 AND ($2::bigint IS NULL OR position <= $2) AND {of_plan}
"""
EXPORT = EXPORT_TEMPLATE.format(of_plan=OF_PLAN)
COUNT = COUNT_TEMPLATE.format(of_plan=OF_PLAN)
IS_EMPTY = "SELECT NOT EXISTS (SELECT 1 FROM events)"
COLUMNS = (
    "position",
    "stream_id",
    "stream_version",
    "event_id",
    "event_type",
    "schema_version",
    "payload",
    "metadata",
    "recorded_at",
    "hash",
)
PUBLISH_ALL = """
INSERT INTO outbox (position, event_id, stream_id, published_at)
SELECT position, event_id, stream_id, clock_timestamp() FROM events
"""
# Appends after a restore continue after the last imported position.
CONTINUE_POSITIONS = """
SELECT setval(pg_get_serial_sequence('events', 'position'), max(position)) FROM events
"""
CHAIN_STARTS_AFTER = """
UPDATE event_chain SET starts_after =
    coalesce((SELECT max(position) FROM events WHERE hash IS NULL), 0)
"""


class Restored(msgspec.Struct, frozen=True):
    """A line of the file, and its event as this release reads it."""

    stored: ExportLine
    event: PlanEvent


class ImportError_(Exception):  # noqa: N801 - ImportError is a builtin
    """The file cannot be imported; nothing was written."""


class Span(msgspec.Struct, frozen=True, kw_only=True):
    from_position: int = 1
    to_position: int | None = None
    plan_id: UUID | None = None
    upcast: bool = False
    """Each payload in its type's current shape, for reading; not a backup (the hashes
    cover the stored shape, so such a file does not verify after an import)."""


async def count(conn: Connection, span: Span) -> int:
    return int(await conn.fetchval(COUNT, span.from_position, span.to_position, span.plan_id))


async def export_lines(
    conn: Connection, span: Span, sealed_for: set[UUID] | None = None
) -> AsyncIterator[list[bytes]]:
    """Pages of NDJSON lines (each ending in a newline), read on one snapshot; the subjects
    whose keys sealed their fields are added to ``sealed_for`` when given."""
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        after = span.from_position - 1
        while rows := await conn.fetch(EXPORT, after, span.to_position, span.plan_id, PAGE):
            if sealed_for is not None:
                sealed_for.update(unsealing.subjects_of(rows))
            # Upcast lines are for reading: their sealed fields opened (or "[erased]").
            subjects = unsealing.subjects_of(rows) if span.upcast else []
            keys = await unsealing.read_keys(conn, subjects)
            yield [_line(row, keys, upcast=span.upcast) for row in rows]
            after = rows[-1]["position"]


def _line(row: asyncpg.Record, keys: unsealing.Keys, *, upcast: bool) -> bytes:
    stored_hash: bytes | None = row["hash"]
    event_type, version = row["event_type"], row["schema_version"]
    text = unsealing.opened_with(keys, row["event_id"], row["payload"]) if upcast else None
    payload = msgspec.json.decode(text or row["payload"])
    if upcast:
        payload, version = (
            upcasting.upcast(event_type, version, payload),
            current_version(event_type),
        )
    line = ExportLine(
        position=row["position"],
        stream_id=row["stream_id"],
        stream_version=row["stream_version"],
        event_id=row["event_id"],
        event_type=event_type,
        schema_version=version,
        recorded_at=row["recorded_at"],
        payload=payload,
        metadata=msgspec.json.decode(row["metadata"]),
        hash=None if stored_hash is None else stored_hash.hex(),
    )
    return encode_line(line)


def parse(lines: Iterable[bytes]) -> list[Restored]:
    """Every line checked before anything is written: shape, decoding, order, versions."""
    parsed: list[Restored] = []
    versions: dict[UUID, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            event = DECODER.decode(line)
            payload = unsealing.erased(event.event_id, msgspec.json.encode(event.payload).decode())
            decoded = decode_stored(event.event_type, event.schema_version, payload)
        except msgspec.DecodeError as exc:
            raise ImportError_(f"line {number}: {exc}") from exc
        if parsed and event.position <= parsed[-1].stored.position:
            raise ImportError_(f"line {number}: positions must increase")
        expected = versions.get(event.stream_id, 0) + 1
        if event.stream_version != expected:
            raise ImportError_(
                f"line {number}: stream {event.stream_id} version {event.stream_version} "
                f"follows {expected - 1}"
            )
        versions[event.stream_id] = event.stream_version
        parsed.append(Restored(event, decoded))
    return parsed


async def import_events(
    conn: Connection,
    events: list[Restored],
    progress: Callable[[int], None],
    keys: list[key_backup.KeyLine] | None = None,
) -> None:
    """Write ``events`` into an empty store in one transaction, with the read models, and
    the data keys their personal fields were sealed with (``key_backup``)."""
    async with conn.transaction():
        if not await conn.fetchval(IS_EMPTY):
            raise ImportError_("the store already holds events: import needs an empty store")
        await key_backup.restore_keys(conn, keys or [])
        for start in range(0, len(events), PAGE):
            page = events[start : start + PAGE]
            await conn.copy_records_to_table("events", records=_records(page), columns=COLUMNS)
            progress(len(page))
        await conn.execute(PUBLISH_ALL)
        await conn.execute(CONTINUE_POSITIONS)
        await conn.execute(CHAIN_STARTS_AFTER)
        # The read models commands write beside their events, from the events opened with
        # the keys this database holds (a sealed field without its key reads "[erased]").
        opening = await unsealing.read_keys(conn, None)
        for restored in events:
            event = _opened(restored, opening)
            await read_models.project(conn, restored.stored.stream_id, [event])


def _opened(restored: Restored, keys: unsealing.Keys) -> PlanEvent:
    stored = restored.stored
    payload = msgspec.json.encode(stored.payload).decode()
    opened = unsealing.opened_with(keys, stored.event_id, payload)
    if opened is payload:
        return restored.event
    return decode_stored(stored.event_type, stored.schema_version, opened)


def _records(page: list[Restored]) -> list[tuple[object, ...]]:
    return [
        (
            e.position,
            e.stream_id,
            e.stream_version,
            e.event_id,
            e.event_type,
            e.schema_version,
            msgspec.json.encode(e.payload).decode(),
            msgspec.json.encode(e.metadata).decode(),
            e.recorded_at,
            None if e.hash is None else bytes.fromhex(e.hash),
        )
        for e in (restored.stored for restored in page)
    ]
