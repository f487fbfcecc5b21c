"""`tandem events verify`: the store's invariants, checked in one pass over one snapshot.

- each stream's versions run 1, 2, 3… without a gap, in position order;
- positions are unique (the primary key says so; a dropped constraint would not);
- every event decodes with this release's contracts (upcast where older);
- every event has its outbox row, published or pending;
- the hash chain: each event's hash matches its content and the hash before it in its
  stream. An edit, a deletion or a reordering made behind the service's back breaks it at
  the stream and version reported. Events recorded before the chain existed are counted,
  not checked (``event_chain.starts_after``).
"""

from collections.abc import Callable
from uuid import UUID

import asyncpg
import msgspec

from contracts.upcasting import decode_stored
from planner.store import chain, unsealing
from planner.store.event_store import Connection

PAGE = 5000

COUNT = "SELECT count(*) FROM events"
CHAIN_START = "SELECT coalesce((SELECT starts_after FROM event_chain), 0)"
SCAN = """
SELECT position, stream_id, stream_version, event_id, event_type, schema_version,
       payload::text AS payload, metadata::text AS metadata, recorded_at, hash
FROM events WHERE position > $1 ORDER BY position LIMIT $2
"""
DUPLICATE_POSITIONS = """
SELECT position FROM events GROUP BY position HAVING count(*) > 1 ORDER BY position LIMIT 100
"""
WITHOUT_OUTBOX = """
SELECT e.position, e.stream_id, e.stream_version FROM events AS e
LEFT JOIN outbox AS o ON o.position = e.position
WHERE o.position IS NULL ORDER BY e.position LIMIT 100
"""
OUTBOX_PENDING = "SELECT count(*) FROM outbox WHERE published_at IS NULL"


class Problem(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    check: str  # versions | positions | decode | chain | outbox
    detail: str
    stream_id: UUID | None = None
    stream_version: int | None = None
    position: int | None = None


class Report(msgspec.Struct, kw_only=True):
    events: int = 0
    streams: int = 0
    unchained: int = 0  # recorded before the hash chain existed
    outbox_pending: int = 0
    problems: list[Problem] = msgspec.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Head(msgspec.Struct):
    version: int
    hash: bytes | None


Progress = Callable[[int], None]  # called with how many events were just checked


async def total_events(conn: Connection) -> int:
    return int(await conn.fetchval(COUNT))


async def verify(conn: Connection, key: bytes, progress: Progress = lambda _: None) -> Report:
    """Check everything on one snapshot (a read-only repeatable-read transaction)."""
    report = Report()
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        chain_start = int(await conn.fetchval(CHAIN_START))
        heads: dict[UUID, _Head] = {}
        after = 0
        while rows := await conn.fetch(SCAN, after, PAGE):
            for row in rows:
                _check(row, heads, key, chain_start, report)
            after = rows[-1]["position"]
            progress(len(rows))
        report.streams = len(heads)
        await _check_positions_and_outbox(conn, report)
    return report


def _check(
    row: asyncpg.Record, heads: dict[UUID, _Head], key: bytes, chain_start: int, report: Report
) -> None:
    report.events += 1
    stream_id, version, position = row["stream_id"], row["stream_version"], row["position"]
    head = heads.setdefault(stream_id, _Head(version=0, hash=None))

    def problem(check: str, detail: str) -> None:
        report.problems.append(
            Problem(
                check=check,
                detail=detail,
                stream_id=stream_id,
                stream_version=version,
                position=position,
            )
        )

    if version != head.version + 1:
        problem("versions", f"follows version {head.version}: expected {head.version + 1}")
    try:
        # The shape is checked with no key: a sealed field counts as the string it holds.
        payload = unsealing.erased(row["event_id"], row["payload"])
        decode_stored(row["event_type"], row["schema_version"], payload)
    except msgspec.DecodeError as exc:
        problem("decode", f"{row['event_type']} v{row['schema_version']}: {exc}"[:300])
    _check_link(row, head, key, chain_start, report, problem)
    head.version = version
    head.hash = row["hash"]


def _check_link(
    row: asyncpg.Record,
    head: _Head,
    key: bytes,
    chain_start: int,
    report: Report,
    problem: Callable[[str, str], None],
) -> None:
    if row["hash"] is None:
        if row["position"] <= chain_start:
            report.unchained += 1
        else:
            problem("chain", "no hash, though recorded after the chain began")
        return
    expected = chain.event_hash(
        key,
        head.hash,
        stream_id=row["stream_id"],
        stream_version=row["stream_version"],
        event_id=row["event_id"],
        event_type=row["event_type"],
        schema_version=row["schema_version"],
        recorded_at=row["recorded_at"],
        payload=row["payload"],
        metadata=row["metadata"],
    )
    if row["hash"] != expected:
        problem(
            "chain",
            "hash does not match the event's content and the hash before it "
            "(changed or removed behind the service's back, or another secret key)",
        )


async def _check_positions_and_outbox(conn: Connection, report: Report) -> None:
    for row in await conn.fetch(DUPLICATE_POSITIONS):
        report.problems.append(
            Problem(check="positions", detail="position used twice", position=row["position"])
        )
    for row in await conn.fetch(WITHOUT_OUTBOX):
        report.problems.append(
            Problem(
                check="outbox",
                detail="no outbox row: never published and never pending",
                stream_id=row["stream_id"],
                stream_version=row["stream_version"],
                position=row["position"],
            )
        )
    report.outbox_pending = int(await conn.fetchval(OUTBOX_PENDING))
