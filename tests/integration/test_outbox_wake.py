"""Waking the relay after commit: one NOTIFY after every commit, a burst coalesced."""

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from uuid_utils.compat import uuid7

from contracts.envelope import Metadata
from planner import handlers
from planner.relay import wake
from planner.relay.wake import OutboxWaker
from planner.store.event_store import OUTBOX_CHANNEL
from tests.support.builders import ALEX, CHAIN_KEY
from tests.support.commands import create_plan
from tests.support.eventually import eventually
from tests.support.log_capture import captured_logs

pytestmark = pytest.mark.integration


class Listener:
    def __init__(self) -> None:
        self.heard: list[str] = []

    def __call__(self, *args: object) -> None:
        self.heard.append(str(args[-1]))


@pytest.fixture
async def listener(db_url: str) -> AsyncIterator[Listener]:
    conn = await asyncpg.connect(db_url)
    heard = Listener()
    await conn.add_listener(OUTBOX_CHANNEL, heard)
    try:
        yield heard
    finally:
        await conn.close()


async def test_a_burst_of_wakes_is_coalesced_into_a_few_notifies(
    db_pool: asyncpg.Pool, listener: Listener
) -> None:
    waker = OutboxWaker(db_pool)

    for _ in range(25):
        waker.wake()  # before the NOTIFY starts: all covered by it
    await asyncio.sleep(0)  # the NOTIFY is on its way now
    for _ in range(25):
        waker.wake()  # while it is on its way: one more, sent after it
    await waker.settled()

    assert waker.sent == 2
    await eventually(lambda: len(listener.heard) == 2)


async def test_a_wake_after_a_notify_was_sent_gets_a_notify_of_its_own(
    db_pool: asyncpg.Pool, listener: Listener
) -> None:
    waker = OutboxWaker(db_pool)

    for expected in (1, 2, 3):
        waker.wake()
        await waker.settled()
        assert waker.sent == expected

    await eventually(lambda: len(listener.heard) == 3)


async def test_a_failed_notify_is_logged_and_not_raised(db_url: str) -> None:
    pool = await asyncpg.create_pool(db_url, min_size=1, max_size=1)
    await pool.close()
    waker = OutboxWaker(pool)

    with captured_logs() as logs:
        waker.wake()
        await waker.settled()

    assert waker.sent == 0
    assert len(logs.events("outbox.wake_failed")) == 1


async def test_a_command_wakes_the_relay_once_committed(
    db_pool: asyncpg.Pool, listener: Listener
) -> None:
    plan_id = uuid7()
    metadata = Metadata(actor=f"participant:{ALEX}", correlation_id=uuid7())

    await handlers.execute(db_pool, plan_id, create_plan(plan_id), metadata, chain_key=CHAIN_KEY)
    await wake.settled(db_pool)

    await eventually(lambda: len(listener.heard) == 1)
    assert listener.heard == [""]  # sent by the waker, not from the command's transaction


async def test_settled_without_any_wake_returns_at_once(db_pool: asyncpg.Pool) -> None:
    await asyncio.wait_for(wake.settled(db_pool), 1)


async def test_an_active_relay_in_this_process_is_woken_without_a_notify(
    db_pool: asyncpg.Pool, listener: Listener
) -> None:
    woken: list[bool] = []
    active = True

    def wake_local() -> bool:
        woken.append(active)
        return active

    waker = OutboxWaker(db_pool)
    waker.wake_local = wake_local
    waker.wake()
    await waker.settled()
    assert (waker.sent, woken) == (0, [True])

    active = False  # it lost the lock, or stopped: another relay needs the NOTIFY
    waker.wake()
    await waker.settled()

    assert (waker.sent, woken) == (1, [True, False])
    await eventually(lambda: len(listener.heard) == 1)
