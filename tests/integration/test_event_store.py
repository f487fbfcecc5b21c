"""The event store against a real PostgreSQL: append, expected versions, idempotency, reads."""

from uuid import UUID

import asyncpg
import pytest
from uuid_utils.compat import uuid7

from contracts.envelope import Metadata
from contracts.events import PlanCreated, PlanEvent, WarningSignAdded, event_type
from contracts.ids import EventId, ParticipantId, PlanId, SignId
from contracts.vocabulary import Level
from planner.store.appending import STREAM_HEAD, append
from planner.store.event_store import (
    EventIdConflict,
    EventStoreError,
    NewEvent,
    StreamHead,
    StreamVersionConflict,
    read_all,
    read_stream,
    read_stream_and_head,
    stream_version,
)
from tests.support.appending import MODES, Appender, appender
from tests.support.builders import CHAIN_KEY
from tests.support.commands import chain_ok

pytestmark = pytest.mark.integration

ALEX = ParticipantId(UUID("01950000-0000-7000-8000-0000000000a1"))
METADATA = Metadata(actor=f"participant:{ALEX}", correlation_id=uuid7(), causation_id=uuid7())


def created(plan_id: UUID) -> PlanCreated:
    return PlanCreated(plan_id=PlanId(plan_id), title="Our plan", created_by=ALEX, creator_name="A")


def sign(description: str = "skipping meetings") -> WarningSignAdded:
    return WarningSignAdded(
        level=Level.WATCH,
        sign_id=SignId(uuid7()),
        owner_id=ALEX,
        category="routine",
        description=description,
    )


def new(event: PlanEvent) -> NewEvent:
    return NewEvent(event_id=EventId(uuid7()), event=event)


@pytest.fixture(params=MODES)
def append_to(request: pytest.FixtureRequest, db_pool: asyncpg.Pool) -> Appender:
    """Append as commands do (in their transaction), and as its own one-statement transaction."""
    return appender(db_pool, request.param, METADATA)


async def count_events(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM events"))


async def test_appended_events_read_back_with_their_metadata(
    append_to: Appender, db_pool: asyncpg.Pool
) -> None:
    stream = uuid7()
    batch = [new(created(stream)), new(sign())]

    result = await append_to(stream, batch, "no_stream")

    envelopes = await read_stream(db_pool, stream)
    assert result.version == 2
    assert not result.duplicate
    assert [e.position for e in envelopes] == list(result.positions)
    assert [e.event for e in envelopes] == [new_event.event for new_event in batch]
    assert [e.event_id for e in envelopes] == [new_event.event_id for new_event in batch]
    assert [e.stream_version for e in envelopes] == [1, 2]
    assert [e.event_type for e in envelopes] == ["plan.created", "plan.warning_sign_added"]
    assert {e.metadata for e in envelopes} == {METADATA}
    assert all(e.stream_id == stream for e in envelopes)
    assert [e.schema_version for e in envelopes] == [1, 2]  # each type's current version
    assert envelopes[0].recorded_at.tzinfo is not None


async def test_a_stream_without_events_has_version_zero(db_pool: asyncpg.Pool) -> None:
    assert await stream_version(db_pool, uuid7()) == 0
    assert await read_stream(db_pool, uuid7()) == []


async def test_no_stream_refuses_a_stream_that_already_exists(
    append_to: Appender, db_pool: asyncpg.Pool
) -> None:
    stream = uuid7()
    await append_to(stream, [new(created(stream))], "no_stream")

    with pytest.raises(StreamVersionConflict) as conflict:
        await append_to(stream, [new(sign())], "no_stream")

    assert (conflict.value.stream_id, conflict.value.expected) == (stream, "no_stream")
    assert conflict.value.actual == 1


async def test_an_exact_expected_version_must_match_the_current_one(
    append_to: Appender,
    db_pool: asyncpg.Pool,
) -> None:
    stream = uuid7()
    await append_to(stream, [new(created(stream)), new(sign())])

    with pytest.raises(StreamVersionConflict) as conflict:
        await append_to(stream, [new(sign())], 1)
    result = await append_to(stream, [new(sign())], 2)

    assert (conflict.value.expected, conflict.value.actual) == (1, 2)
    assert result.version == 3
    assert await stream_version(db_pool, stream) == 3


async def test_any_appends_whatever_the_current_version(
    append_to: Appender, db_pool: asyncpg.Pool
) -> None:
    stream = uuid7()
    first = await append_to(stream, [new(created(stream))], "any")
    second = await append_to(stream, [new(sign())], "any")

    assert (first.version, second.version) == (1, 2)


async def test_a_retried_append_is_a_duplicate_that_writes_nothing(
    append_to: Appender, db_pool: asyncpg.Pool
) -> None:
    stream = uuid7()
    batch = [new(created(stream)), new(sign())]
    original = await append_to(stream, batch, "no_stream")
    rows_before = await count_events(db_pool)

    # The expected version is stale now; a retry of the same append still succeeds.
    retried = await append_to(stream, batch, "no_stream")

    assert retried.duplicate
    assert (retried.version, retried.positions) == (original.version, original.positions)
    assert await count_events(db_pool) == rows_before
    assert await db_pool.fetchval("SELECT count(*) FROM outbox") == rows_before


async def test_an_event_id_reused_for_other_content_is_an_event_id_conflict(
    append_to: Appender,
    db_pool: asyncpg.Pool,
) -> None:
    stream = uuid7()
    original = new(sign("skipping meetings"))
    await append_to(stream, [original])

    reused = NewEvent(event_id=original.event_id, event=sign("calling old friends"))
    with pytest.raises(EventIdConflict) as conflict:
        await append_to(stream, [reused])

    assert conflict.value.event_id == original.event_id
    assert await count_events(db_pool) == 1


async def test_an_event_id_reused_in_another_stream_is_an_event_id_conflict(
    append_to: Appender,
    db_pool: asyncpg.Pool,
) -> None:
    event = new(sign())
    await append_to(uuid7(), [event])

    with pytest.raises(EventIdConflict):
        await append_to(uuid7(), [event])


async def test_an_event_id_repeated_within_one_batch_is_refused(
    append_to: Appender, db_pool: asyncpg.Pool
) -> None:
    event = new(sign())

    with pytest.raises(EventIdConflict):
        await append_to(uuid7(), [event, event])

    assert await count_events(db_pool) == 0


async def test_an_append_outside_a_transaction_commits_events_and_outbox_rows_together(
    db_pool: asyncpg.Pool,
) -> None:
    stream = uuid7()
    async with db_pool.acquire() as conn:
        result = await append(
            conn,
            stream,
            [new(created(stream)), new(sign())],
            "no_stream",
            METADATA,
            chain_key=CHAIN_KEY,
        )
        assert not conn.is_in_transaction()

    assert await db_pool.fetchval(
        "SELECT array_agg(position ORDER BY position) FROM outbox WHERE stream_id = $1", stream
    ) == list(result.positions)


async def test_a_refused_one_statement_append_writes_nothing(db_pool: asyncpg.Pool) -> None:
    stream = uuid7()
    first = new(created(stream))
    async with db_pool.acquire() as conn:
        await append(conn, stream, [first], "no_stream", METADATA, chain_key=CHAIN_KEY)
        # The first event clashes only on its stream version; the batch goes as a whole.
        with pytest.raises(StreamVersionConflict) as conflict:
            await append(
                conn,
                stream,
                [new(sign()), new(sign())],
                "no_stream",
                METADATA,
                chain_key=CHAIN_KEY,
            )

    assert conflict.value.actual == 1
    assert await count_events(db_pool) == 1
    assert await db_pool.fetchval("SELECT count(*) FROM outbox") == 1


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param("UPDATE events SET event_type = 'plan.rewritten'", id="update"),
        pytest.param("UPDATE events SET payload = '{}' WHERE false", id="update-no-rows"),
        pytest.param("DELETE FROM events", id="delete"),
        pytest.param("TRUNCATE events CASCADE", id="truncate"),
    ],
)
async def test_the_database_refuses_to_change_history(
    append_to: Appender, db_pool: asyncpg.Pool, statement: str
) -> None:
    stream = uuid7()
    await append_to(stream, [new(created(stream))])

    with pytest.raises(asyncpg.RestrictViolationError, match="append-only"):
        await db_pool.execute(statement)

    assert await count_events(db_pool) == 1


async def test_read_all_pages_through_every_stream_in_position_order(
    append_to: Appender,
    db_pool: asyncpg.Pool,
) -> None:
    streams = [uuid7() for _ in range(3)]
    for stream in streams:
        await append_to(stream, [new(created(stream)), new(sign())])

    pages, after = [], 0
    while page := await read_all(db_pool, after_position=after, limit=4):
        pages.append(page)
        after = page[-1].position

    positions = [e.position for page in pages for e in page]
    assert [len(page) for page in pages] == [4, 2]
    assert positions == sorted(positions)
    assert len(set(positions)) == 6
    assert [e.stream_id for page in pages for e in page] == [s for s in streams for _ in (1, 2)]


async def test_read_stream_until_shows_the_stream_as_it_was_then(
    append_to: Appender, db_pool: asyncpg.Pool
) -> None:
    stream = uuid7()
    await append_to(stream, [new(created(stream))])
    then = (await read_stream(db_pool, stream))[0].recorded_at
    await append_to(stream, [new(sign())])

    as_of_then = await read_stream(db_pool, stream, until=then)
    now = await read_stream(db_pool, stream)

    assert [event_type(e.event) for e in as_of_then] == ["plan.created"]
    assert len(now) == 2


async def test_read_stream_pages_by_version(db_pool: asyncpg.Pool, append_to: Appender) -> None:
    stream = uuid7()
    await append_to(stream, [new(created(stream)), *(new(sign()) for _ in range(4))])

    page = await read_stream(db_pool, stream, after_version=2, limit=2)

    assert [e.stream_version for e in page] == [3, 4]


async def test_a_database_failure_surfaces_as_an_event_store_error(db_url: str) -> None:
    conn = await asyncpg.connect(db_url)
    await conn.close()

    with pytest.raises(EventStoreError):
        await read_stream(conn, uuid7())


async def test_fresh_ids_skip_the_look_for_a_retried_append(db_pool: asyncpg.Pool) -> None:
    stream = uuid7()
    batch = [new(created(stream))]
    async with db_pool.acquire() as conn, conn.transaction():
        await append(conn, stream, batch, "no_stream", METADATA, chain_key=CHAIN_KEY)

    # Told the ids are fresh, the store does not look for them: a repeat is a plain clash
    # (commands make new ids for each attempt, so they never meet this).
    async with db_pool.acquire() as conn:
        with pytest.raises(StreamVersionConflict):
            async with conn.transaction():
                await append(
                    conn, stream, batch, "any", METADATA, chain_key=CHAIN_KEY, may_be_stored=False
                )
    assert await count_events(db_pool) == 1


class HeadReads:
    """Counts the reads of a stream's head that ``append`` makes itself."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        fetchrow = asyncpg.connection.Connection.fetchrow

        async def counted(conn: asyncpg.Connection, query: str, *args: object) -> object:
            self.count += query == STREAM_HEAD
            return await fetchrow(conn, query, *args)

        monkeypatch.setattr(asyncpg.connection.Connection, "fetchrow", counted)


async def _create(pool: asyncpg.Pool, stream: UUID) -> None:
    async with pool.acquire() as conn:
        await append(
            conn, stream, [new(created(stream))], "no_stream", METADATA, chain_key=CHAIN_KEY
        )


async def _append_with_head(
    pool: asyncpg.Pool, stream: UUID, expected: int, head: StreamHead | None
) -> None:
    async with pool.acquire() as conn:
        await append(
            conn, stream, [new(sign())], expected, METADATA, chain_key=CHAIN_KEY, head=head
        )


async def test_an_append_given_the_head_it_read_does_not_read_it_again_and_chains_as_ever(
    db_pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = uuid7()
    await _create(db_pool, stream)
    _, head = await read_stream_and_head(db_pool, stream)
    reads = HeadReads(monkeypatch)

    await _append_with_head(db_pool, stream, 1, head)

    assert reads.count == 0
    assert await chain_ok(db_pool)


async def test_an_append_given_an_older_head_reads_the_current_one(
    db_pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = uuid7()
    await _create(db_pool, stream)
    _, older = await read_stream_and_head(db_pool, stream)
    await _append_with_head(db_pool, stream, 1, None)
    reads = HeadReads(monkeypatch)

    await _append_with_head(db_pool, stream, 2, older)

    assert reads.count == 1
    assert await chain_ok(db_pool)


async def test_a_head_the_stream_has_moved_past_is_a_conflict(db_pool: asyncpg.Pool) -> None:
    stream = uuid7()
    await _create(db_pool, stream)
    _, head = await read_stream_and_head(db_pool, stream)
    await _append_with_head(db_pool, stream, 1, None)  # another writer, in between

    with pytest.raises(StreamVersionConflict):
        await _append_with_head(db_pool, stream, 1, head)

    assert [e.stream_version for e in await read_stream(db_pool, stream)] == [1, 2]
