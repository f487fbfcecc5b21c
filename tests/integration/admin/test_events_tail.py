"""`tandem events tail`: the last events, and every later one exactly once as it commits."""

import asyncio
from collections.abc import Callable
from typing import Any
from uuid import uuid4

import asyncpg
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from contracts.envelope import Envelope, Metadata
from contracts.events import PlanCreated
from contracts.ids import EventId, ParticipantId, PlanId
from planner.admin import events_tail
from planner.store import appending
from planner.store.event_feed import Filter
from planner.store.event_store import NewEvent
from tests.integration.admin.support import run_cli
from tests.support.api import couple
from tests.support.builders import CHAIN_KEY

pytestmark = pytest.mark.integration


async def test_tail_prints_the_last_n_events_of_a_plan_one_line_each(
    client: AsyncTestClient[Any], db_url: str
) -> None:
    plan = await couple(client)
    await couple(client)  # another plan's events are left out
    code, out, err = await asyncio.to_thread(
        run_cli, db_url, "events", "tail", "--plan", plan.plan_id, "-n", "2"
    )
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 2
    assert all(plan.plan_id in line for line in lines)
    assert "plan.partner_invited" in lines[0]
    assert "plan.partner_joined" in lines[1]
    assert f"participant:{plan.second.participant_id}" in lines[1]


async def test_tail_json_is_ndjson_envelopes_of_the_type_asked(
    client: AsyncTestClient[Any], db_url: str
) -> None:
    plans = [await couple(client) for _ in range(3)]
    code, out, err = await asyncio.to_thread(
        run_cli, db_url, "events", "tail", "--type", "plan.partner_joined", "--json"
    )
    assert code == 0, err
    envelopes = [msgspec.json.decode(line, type=Envelope) for line in out.splitlines()]
    assert [str(e.stream_id) for e in envelopes] == [p.plan_id for p in plans]
    assert {e.event_type for e in envelopes} == {"plan.partner_joined"}


def test_an_unknown_event_type_exits_2(db_url: str) -> None:
    code, _, err = run_cli(db_url, "events", "tail", "--type", "plan.nonsense")
    assert code == 2
    assert "plan.created" in err


async def test_follow_prints_a_late_committing_lower_position_once(
    db_url: str, db_pool: asyncpg.Pool
) -> None:
    async with db_pool.acquire() as conn, conn.transaction():
        first = await _append_plan(conn)
    seen: list[int] = []
    stop = asyncio.Event()
    follower = asyncio.create_task(
        events_tail.run(
            db_url, Filter(), 20, lambda e: seen.append(e.position), follow=True, stop=stop
        )
    )
    slow = await db_pool.acquire()
    try:
        await _wait_for(lambda: first in seen)  # listening, and the last events read
        # The slow transaction draws the lower position and commits last.
        transaction = slow.transaction()
        await transaction.start()
        low = await _append_plan(slow)
        async with db_pool.acquire() as fast, fast.transaction():
            high = await _append_plan(fast)
        assert low < high
        await _wait_for(lambda: high in seen)
        assert low not in seen
        await transaction.commit()
        await _wait_for(lambda: low in seen)
        async with db_pool.acquire() as later, later.transaction():
            last = await _append_plan(later)
        await _wait_for(lambda: last in seen)
    finally:
        stop.set()
        await asyncio.wait_for(follower, 10)
        await db_pool.release(slow)
    assert seen == [first, high, low, last]


async def _append_plan(conn: Any) -> int:
    plan_id = PlanId(uuid4())
    event = PlanCreated(
        plan_id=plan_id, title="t", created_by=ParticipantId(uuid4()), creator_name="A"
    )
    result = await appending.append(
        conn,
        plan_id,
        [NewEvent(event_id=EventId(uuid4()), event=event)],
        "no_stream",
        Metadata(actor="system:test", correlation_id=uuid4()),
        chain_key=CHAIN_KEY,
    )
    return result.positions[0]


async def _wait_for(check: Callable[[], bool]) -> None:
    for _ in range(1000):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("not printed in time")
