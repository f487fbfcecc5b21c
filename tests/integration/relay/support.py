"""Helpers for the relay tests: appends through the real event store, and the stream read back."""

from collections.abc import Awaitable, Callable
from uuid import UUID

import asyncpg
import msgspec
import nats
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig
from nats.js.errors import NotFoundError
from uuid_utils.compat import uuid7

from contracts.envelope import Metadata
from contracts.events import PlanCreated, WarningSignAdded
from contracts.ids import EventId, ParticipantId, PlanId, SignId
from contracts.subjects import HEADER_MSG_ID, HEADER_STREAM_VERSION, PLAN_STREAM, PLAN_SUBJECTS
from contracts.vocabulary import Level
from planner.store.appending import append
from planner.store.event_store import AppendResult, NewEvent
from tests.support.builders import CHAIN_KEY

ALEX = ParticipantId(UUID("01950000-0000-7000-8000-0000000000a1"))
FETCH_TIMEOUT_SECONDS = 2.0

# The tests' own look at the outbox: rows not yet published, read straight from the table.
PENDING = """
SELECT position, event_id, stream_id
FROM outbox
WHERE published_at IS NULL
ORDER BY position
LIMIT $1
"""


class OutboxRow(msgspec.Struct, frozen=True, kw_only=True):
    position: int
    event_id: UUID
    stream_id: UUID


async def pending(pool: asyncpg.Pool, limit: int = 500) -> list[OutboxRow]:
    """Rows not yet published, lowest position first.

    A position below one already published can still appear here (its transaction
    committed late); that is the point, not a bug.
    """
    rows = await pool.fetch(PENDING, limit)
    return [
        OutboxRow(position=row["position"], event_id=row["event_id"], stream_id=row["stream_id"])
        for row in rows
    ]


def metadata() -> Metadata:
    return Metadata(actor=f"participant:{ALEX}", correlation_id=uuid7())


def plan_created(plan_id: UUID) -> NewEvent:
    event = PlanCreated(
        plan_id=PlanId(plan_id), title="Our plan", created_by=ALEX, creator_name="A"
    )
    return NewEvent(event_id=EventId(uuid7()), event=event)


def sign_added() -> NewEvent:
    event = WarningSignAdded(
        level=Level.WATCH,
        sign_id=SignId(uuid7()),
        owner_id=ALEX,
        category="sleep",
        description="up past 3am",
    )
    return NewEvent(event_id=EventId(uuid7()), event=event)


async def append_plan(
    conn: asyncpg.Pool | asyncpg.pool.PoolConnectionProxy,
    count: int = 1,
    plan_id: UUID | None = None,
) -> AppendResult:
    """A new plan with ``count`` events in one committed transaction (or the caller's)."""
    stream = plan_id or uuid7()
    events = [plan_created(stream), *(sign_added() for _ in range(count - 1))]
    if isinstance(conn, asyncpg.Pool):
        async with conn.acquire() as acquired, acquired.transaction():
            return await append(
                acquired, stream, events, "no_stream", metadata(), chain_key=CHAIN_KEY
            )
    return await append(conn, stream, events, "no_stream", metadata(), chain_key=CHAIN_KEY)


async def append_signs(pool: asyncpg.Pool, plan_id: UUID, count: int) -> None:
    """``count`` more events on a plan, one committed append each."""
    for _ in range(count):
        async with pool.acquire() as conn, conn.transaction():
            await append(conn, plan_id, [sign_added()], "any", metadata(), chain_key=CHAIN_KEY)


async def message_count(js: JetStreamContext) -> int:
    return int((await js.stream_info(PLAN_STREAM)).state.messages)


def count_is(js: JetStreamContext, expected: int) -> Callable[[], Awaitable[None]]:
    """A check for ``eventually``: the plan stream exists and holds ``expected`` messages."""

    async def check() -> None:
        try:
            count = await message_count(js)
        except NotFoundError as error:
            raise AssertionError("the plan stream does not exist yet") from error
        assert count == expected

    return check


def all_published(pool: asyncpg.Pool) -> Callable[[], Awaitable[None]]:
    """A check for ``eventually``: the relay has marked every outbox row published."""

    async def check() -> None:
        assert await pending(pool) == []

    return check


async def stored_messages(js: JetStreamContext) -> list[Msg]:
    """Every message of the plan stream, in stream order, read by a pull consumer."""
    count = await message_count(js)
    if count == 0:
        return []
    config = ConsumerConfig(ack_policy=AckPolicy.NONE, inactive_threshold=10.0)
    subscription = await js.pull_subscribe(PLAN_SUBJECTS, stream=PLAN_STREAM, config=config)
    messages: list[Msg] = []
    try:
        while len(messages) < count:
            batch = count - len(messages)
            messages += await subscription.fetch(batch, timeout=FETCH_TIMEOUT_SECONDS)
    finally:
        await subscription.unsubscribe()
    return messages


def msg_ids(messages: list[Msg]) -> list[str]:
    return [(message.headers or {})[HEADER_MSG_ID] for message in messages]


def versions_by_plan(messages: list[Msg]) -> dict[str, list[int]]:
    """Each plan's stream versions in the order the stream holds them."""
    seen: dict[str, list[int]] = {}
    for message in messages:
        plan = message.subject.split(".")[2]
        seen.setdefault(plan, []).append(int((message.headers or {})[HEADER_STREAM_VERSION]))
    return seen


async def messages_at(url: str) -> list[Msg]:
    """The plan stream's messages on the server at ``url``, through a fresh connection."""
    client = await nats.connect(url)
    try:
        return await stored_messages(client.jetstream())
    finally:
        await client.close()
