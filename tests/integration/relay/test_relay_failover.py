"""Two relays on one database: one publishes, the other stands by and takes over."""

import asyncio

import asyncpg
import pytest
from nats.js import JetStreamContext
from uuid_utils.compat import uuid7

from planner.relay.loop import RelayState
from tests.integration.relay.conftest import Started, StartRelay
from tests.integration.relay.support import (
    all_published,
    append_plan,
    append_signs,
    count_is,
    message_count,
    msg_ids,
    stored_messages,
    versions_by_plan,
)
from tests.support.eventually import eventually

pytestmark = pytest.mark.integration

PLANS = 4
EVENTS_PER_PLAN = 5

TERMINATE_LOCK_HOLDER = """
SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_locks
WHERE locktype = 'advisory' AND granted
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


async def append_interleaved(pool: asyncpg.Pool, plans: int, events_per_plan: int) -> None:
    """Plans written concurrently, one append per event, so their positions interleave."""

    async def one_plan() -> None:
        result = await append_plan(pool)
        await append_signs(pool, result.stream_id, events_per_plan - 1)

    await asyncio.gather(*(one_plan() for _ in range(plans)))


def one_active(first: Started, second: Started) -> bool:
    states = {first.relay.state, second.relay.state}
    return states == {RelayState.ACTIVE, RelayState.STANDBY}


async def test_two_relays_publish_each_event_once_in_order_and_the_standby_takes_over(
    db_pool: asyncpg.Pool, js: JetStreamContext, start_relay: StartRelay
) -> None:
    first = await start_relay(name="first")
    second = await start_relay(name="second")
    await eventually(lambda: one_active(first, second))
    active, standby = (first, second) if first.relay.active else (second, first)

    await append_interleaved(db_pool, PLANS, EVENTS_PER_PLAN)

    total = PLANS * EVENTS_PER_PLAN
    await eventually(count_is(js, total))
    messages = await stored_messages(js)
    assert len(set(msg_ids(messages))) == total
    assert all(
        v == list(range(1, EVENTS_PER_PLAN + 1)) for v in versions_by_plan(messages).values()
    )
    await eventually(lambda: active.relay.published_count == total)  # its acks may trail
    assert standby.relay.published_count == 0
    assert standby.relay.state is RelayState.STANDBY

    # Kill the active relay: its session ends, the lock with it, and the standby takes over.
    active.task.cancel()
    await asyncio.gather(active.task, return_exceptions=True)
    await eventually(lambda: standby.relay.active)
    await append_interleaved(db_pool, plans=2, events_per_plan=3)

    await eventually(count_is(js, total + 6))
    messages = await stored_messages(js)
    assert len(set(msg_ids(messages))) == total + 6
    await eventually(all_published(db_pool))
    assert standby.relay.published_count == 6


async def test_a_relay_whose_database_session_dies_reconnects_and_nothing_is_lost_or_doubled(
    db_pool: asyncpg.Pool,
    js: JetStreamContext,
    start_relay: StartRelay,
    caplog: pytest.LogCaptureFixture,
) -> None:
    started = await start_relay()
    await eventually(lambda: started.relay.active)

    # The server ends the relay's session (a failover, a network cut): the relay reconnects.
    # Depending on timing, it may publish and then fail to mark: the next session publishes
    # again, and Nats-Msg-Id keeps the stream at one copy.
    assert await db_pool.fetchval(TERMINATE_LOCK_HOLDER) == 1
    await append_plan(db_pool, count=3, plan_id=uuid7())

    await eventually(all_published(db_pool))
    assert await message_count(js) == 3
    assert "relay.session_failed" in caplog.text
    await eventually(lambda: started.relay.active)
