"""The outbox against a real PostgreSQL: one pending row per event, none skipped."""

from uuid import UUID

import asyncpg
import pytest
from uuid_utils.compat import uuid7

from contracts.envelope import Metadata
from contracts.events import PlanCreated, WarningSignAdded
from contracts.ids import EventId, ParticipantId, PlanId, SignId
from contracts.vocabulary import Level
from planner.relay import outbox
from planner.store.appending import append
from planner.store.event_store import OUTBOX_CHANNEL, AppendResult, NewEvent, read_all
from tests.integration.relay.support import pending
from tests.support.builders import CHAIN_KEY
from tests.support.eventually import eventually

pytestmark = pytest.mark.integration

ALEX = ParticipantId(UUID("01950000-0000-7000-8000-0000000000a1"))
METADATA = Metadata(actor=f"participant:{ALEX}", correlation_id=uuid7())


def new_plan(stream: UUID) -> NewEvent:
    event = PlanCreated(plan_id=PlanId(stream), title="Our plan", created_by=ALEX, creator_name="A")
    return NewEvent(event_id=EventId(uuid7()), event=event)


def new_sign() -> NewEvent:
    event = WarningSignAdded(
        level=Level.WATCH,
        sign_id=SignId(uuid7()),
        owner_id=ALEX,
        category="routine",
        description="skipping meetings",
    )
    return NewEvent(event_id=EventId(uuid7()), event=event)


async def append_plan(conn: asyncpg.pool.PoolConnectionProxy, stream: UUID) -> AppendResult:
    return await append(
        conn, stream, [new_plan(stream), new_sign()], "no_stream", METADATA, chain_key=CHAIN_KEY
    )


async def test_each_appended_event_waits_in_the_outbox(db_pool: asyncpg.Pool) -> None:
    stream = uuid7()
    async with db_pool.acquire() as conn, conn.transaction():
        result = await append_plan(conn, stream)

    rows = await pending(db_pool)

    assert [row.position for row in rows] == list(result.positions)
    assert {row.stream_id for row in rows} == {stream}
    envelopes = await read_all(db_pool)
    assert [row.event_id for row in rows] == [envelope.event_id for envelope in envelopes]


async def test_published_rows_are_no_longer_pending(db_pool: asyncpg.Pool) -> None:
    async with db_pool.acquire() as conn, conn.transaction():
        first = await append_plan(conn, uuid7())
        second = await append_plan(conn, uuid7())

    await outbox.mark_published(db_pool, first.positions)
    await outbox.mark_published(db_pool, first.positions)  # twice changes nothing
    await outbox.mark_published(db_pool, [])

    assert [row.position for row in await pending(db_pool)] == list(second.positions)
    assert [row.position for row in await pending(db_pool, limit=1)] == [second.positions[0]]


async def test_a_batch_says_whether_events_may_be_left_pending(db_pool: asyncpg.Pool) -> None:
    async with db_pool.acquire() as conn, conn.transaction():
        result = await append_plan(conn, uuid7())  # two events

    short = await outbox.pending_envelopes(db_pool, limit=3)
    full = await outbox.pending_envelopes(db_pool, limit=2)
    await outbox.mark_published(db_pool, result.positions)
    empty = await outbox.pending_envelopes(db_pool, limit=2)

    assert [e.position for e in short.envelopes] == list(result.positions)
    assert not short.more  # it held every pending event: no second read is needed
    assert full.more  # a full batch may have left some behind
    assert empty.envelopes == []
    assert not empty.more


async def test_a_rolled_back_append_leaves_nothing_pending(db_pool: asyncpg.Pool) -> None:
    async with db_pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        await append_plan(conn, uuid7())
        await transaction.rollback()

    assert await pending(db_pool) == []


async def test_a_late_commit_with_a_lower_position_is_still_pending_after_a_later_one(
    db_pool: asyncpg.Pool,
) -> None:
    async with db_pool.acquire() as conn_a, db_pool.acquire() as conn_b:
        # A draws the lower positions and stays open.
        transaction_a = conn_a.transaction()
        await transaction_a.start()
        result_a = await append_plan(conn_a, uuid7())
        # B draws higher positions and commits first.
        async with conn_b.transaction():
            result_b = await append_plan(conn_b, uuid7())
        assert max(result_a.positions) < min(result_b.positions)

        # The relay sees only B, publishes it, and only then does A commit.
        seen = await pending(db_pool)
        assert [row.position for row in seen] == list(result_b.positions)
        await outbox.mark_published(db_pool, [row.position for row in seen])
        await transaction_a.commit()

    late = await pending(db_pool)
    assert [row.position for row in late] == list(result_a.positions)
    # The trap the outbox avoids: a reader of "position > last seen" skips A for good.
    assert await read_all(db_pool, after_position=max(result_b.positions)) == []


async def test_a_committed_append_notifies_the_outbox_channel(db_pool: asyncpg.Pool) -> None:
    stream = uuid7()
    heard: list[str] = []

    def hear(_conn: object, _pid: int, _channel: str, payload: str) -> None:
        heard.append(payload)

    async with db_pool.acquire() as listener:
        await listener.add_listener(OUTBOX_CHANNEL, hear)
        try:
            async with db_pool.acquire() as conn, conn.transaction():
                await append_plan(conn, stream)
            await eventually(lambda: heard == [str(stream)])
        finally:
            await listener.remove_listener(OUTBOX_CHANNEL, hear)
