"""Concurrent appends against a real PostgreSQL: one winner, no gaps, no double writes."""

import asyncio
from uuid import UUID

import asyncpg
import pytest
from uuid_utils.compat import uuid7

from contracts.envelope import Metadata
from contracts.events import PlanCreated, WarningSignAdded
from contracts.ids import EventId, ParticipantId, PlanId, SignId
from contracts.vocabulary import Level
from planner.store.appending import append
from planner.store.event_store import AppendResult, NewEvent, StreamVersionConflict, read_stream
from tests.support.appending import MODES, Appender, appender
from tests.support.builders import CHAIN_KEY
from tests.support.eventually import eventually

pytestmark = pytest.mark.integration

APPENDERS = 20
ALEX = ParticipantId(UUID("01950000-0000-7000-8000-0000000000a1"))
METADATA = Metadata(actor=f"participant:{ALEX}", correlation_id=uuid7())

WAITING_ON_A_LOCK = """
SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock'
"""


def new_sign() -> NewEvent:
    event = WarningSignAdded(
        level=Level.WATCH,
        sign_id=SignId(uuid7()),
        owner_id=ALEX,
        category="routine",
        description="skipping meetings",
    )
    return NewEvent(event_id=EventId(uuid7()), event=event)


def new_plan(stream: UUID) -> NewEvent:
    event = PlanCreated(plan_id=PlanId(stream), title="Our plan", created_by=ALEX, creator_name="A")
    return NewEvent(event_id=EventId(uuid7()), event=event)


@pytest.fixture(params=MODES)
def append_to(request: pytest.FixtureRequest, db_pool: asyncpg.Pool) -> Appender:
    """Append as commands do (in their transaction), and as its own one-statement transaction."""
    return appender(db_pool, request.param, METADATA)


async def test_only_one_of_twenty_appenders_expecting_the_same_version_wins(
    append_to: Appender,
    db_pool: asyncpg.Pool,
) -> None:
    stream = uuid7()
    await append_to(stream, [new_plan(stream), new_sign()], "no_stream")

    outcomes = await asyncio.gather(
        *(append_to(stream, [new_sign()], 2) for _ in range(APPENDERS)),
        return_exceptions=True,
    )

    winners = [outcome for outcome in outcomes if isinstance(outcome, AppendResult)]
    losers = [outcome for outcome in outcomes if isinstance(outcome, StreamVersionConflict)]
    assert len(winners) == 1
    assert len(losers) == APPENDERS - 1
    assert winners[0].version == 3
    versions = [envelope.stream_version for envelope in await read_stream(db_pool, stream)]
    assert versions == [1, 2, 3]


async def test_twenty_concurrent_identical_appends_store_the_event_once(
    append_to: Appender,
    db_pool: asyncpg.Pool,
) -> None:
    stream = uuid7()
    same = [new_plan(stream)]

    async def append_retrying_once() -> AppendResult:
        # What the handler does: a conflict aborts the transaction; retry in a new one.
        try:
            return await append_to(stream, same, "no_stream")
        except StreamVersionConflict:
            return await append_to(stream, same, "no_stream")

    results = await asyncio.gather(*(append_retrying_once() for _ in range(APPENDERS)))

    assert sum(not result.duplicate for result in results) == 1
    assert {result.positions for result in results} == {results[0].positions}
    assert await db_pool.fetchval("SELECT count(*) FROM events") == 1
    assert await db_pool.fetchval("SELECT count(*) FROM outbox") == 1


@pytest.mark.parametrize("same_event", [False, True], ids=["other-event", "same-event"])
async def test_an_append_racing_an_uncommitted_one_conflicts_when_that_commits(
    append_to: Appender, db_pool: asyncpg.Pool, same_event: bool, request: pytest.FixtureRequest
) -> None:
    one_statement = request.node.callspec.params["append_to"] == "one-statement"
    stream = uuid7()
    first = [new_plan(stream)]
    second = first if same_event else [new_plan(stream)]
    async with db_pool.acquire() as conn_a:
        transaction_a = conn_a.transaction()
        await transaction_a.start()
        await append(conn_a, stream, first, "no_stream", METADATA, chain_key=CHAIN_KEY)

        # B sees no stream yet, inserts version 1 and waits on A's uncommitted row.
        racing = asyncio.create_task(append_to(stream, second, "no_stream"))
        await eventually(lambda: _waits_on_a_lock(db_pool, racing))
        await transaction_a.commit()

        if one_statement and same_event:
            # Its own transaction: the refused insert is found stored as given at once.
            assert (await racing).duplicate
        else:
            with pytest.raises(StreamVersionConflict) as conflict:
                await racing
            # In the caller's transaction the version cannot be read after the refusal.
            assert conflict.value.actual == (1 if one_statement else None)

    if same_event:
        retried = await append_to(stream, second, "no_stream")
        assert retried.duplicate
    assert await db_pool.fetchval("SELECT count(*) FROM events") == 1


async def _waits_on_a_lock(pool: asyncpg.Pool, racing: "asyncio.Task[AppendResult]") -> bool:
    assert not racing.done(), racing
    return bool(await pool.fetchval(WAITING_ON_A_LOCK))
