"""Commands decided on the plan kept in memory: no read, and the append checks the head."""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from uuid_utils.compat import uuid7

from contracts.events import WarningSignAdded
from contracts.ids import EventId, SignId
from contracts.vocabulary import Level
from planner.domain.commands import RetireWarningSign
from planner.store import appending, event_store, plan_states
from tests.support.builders import ALEX, CHAIN_KEY
from tests.support.commands import METADATA, add_sign, chain_ok, create_plan, run

pytestmark = pytest.mark.integration


class Reads:
    """Counts the stream reads commands make."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        read = event_store.read_stream_and_head

        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return await read(*args, **kwargs)

        monkeypatch.setattr(event_store, "read_stream_and_head", counted)


async def append_elsewhere(pool: asyncpg.Pool, plan_id: UUID, after: int, sign: SignId) -> None:
    """Another planner process appends a sign to the plan behind this one's back."""
    event = WarningSignAdded(
        sign_id=sign, owner_id=ALEX, category="mood", description="low", level=Level.WATCH
    )
    async with pool.acquire() as conn:
        await appending.append(
            conn,
            plan_id,
            [event_store.NewEvent(event_id=EventId(uuid7()), event=event)],
            after,
            METADATA,
            chain_key=CHAIN_KEY,
        )


async def copy_first_event(source: asyncpg.Pool, target: asyncpg.Pool, plan_id: UUID) -> None:
    """The plan's first event into another database, behind the kept plan's back."""
    [created] = await event_store.read_stream(source, plan_id, limit=1)
    async with target.acquire() as conn:
        await appending.append(
            conn,
            plan_id,
            [event_store.NewEvent(event_id=created.event_id, event=created.event)],
            "no_stream",
            METADATA,
            chain_key=CHAIN_KEY,
        )


async def versions(pool: asyncpg.Pool, plan_id: UUID) -> list[int]:
    return [e.stream_version for e in await event_store.read_stream(pool, plan_id)]


async def test_a_command_on_a_kept_plan_appends_without_reading_it(
    db_pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan_id = uuid7()
    await run(db_pool, plan_id, create_plan(plan_id))
    await run(db_pool, plan_id, add_sign())
    reads = Reads(monkeypatch)

    result = await run(db_pool, plan_id, add_sign())

    assert reads.count == 0
    assert result.version == 3
    assert await versions(db_pool, plan_id) == [1, 2, 3]
    assert await chain_ok(db_pool)
    kept = plan_states.PLANS.kept(plan_id)
    assert kept is not None
    assert kept[0] == result.state
    assert kept[1] == result.head


async def test_a_plan_that_moved_elsewhere_is_a_conflict_and_the_retry_reads(
    db_pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan_id = uuid7()
    await run(db_pool, plan_id, create_plan(plan_id))
    await append_elsewhere(db_pool, plan_id, 1, SignId(uuid7()))
    reads = Reads(monkeypatch)

    result = await run(db_pool, plan_id, add_sign())

    assert reads.count == 1  # the kept plan's append was refused; the retry read
    assert result.version == 3
    assert len(result.state.signs) == 2  # the other process's sign is in the state
    assert await versions(db_pool, plan_id) == [1, 2, 3]
    assert await chain_ok(db_pool)


async def test_a_database_behind_the_kept_plan_gets_no_gap_in_versions(
    db_pool: asyncpg.Pool, other_pool: asyncpg.Pool
) -> None:
    plan_id = uuid7()
    await run(db_pool, plan_id, create_plan(plan_id))
    await run(db_pool, plan_id, add_sign())
    await run(db_pool, plan_id, add_sign())  # kept at version 3
    await copy_first_event(db_pool, other_pool, plan_id)  # an older backup restored, say

    result = await run(other_pool, plan_id, add_sign())

    assert result.version == 2
    assert await versions(other_pool, plan_id) == [1, 2]
    assert await chain_ok(other_pool)


async def test_a_database_with_another_history_at_the_same_version_is_a_conflict(
    db_pool: asyncpg.Pool, other_pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan_id = uuid7()
    await run(db_pool, plan_id, create_plan(plan_id))
    await run(db_pool, plan_id, add_sign())  # kept at version 2
    # The other database holds the same first event and another second one (its own hash).
    await copy_first_event(db_pool, other_pool, plan_id)
    await append_elsewhere(other_pool, plan_id, 1, SignId(uuid7()))
    reads = Reads(monkeypatch)

    result = await run(other_pool, plan_id, add_sign())

    assert reads.count >= 1  # the kept head's hash did not match: the retry read

    assert result.version == 3
    assert await versions(other_pool, plan_id) == [1, 2, 3]
    assert await chain_ok(other_pool)  # chained onto the other database's own version 2


async def test_a_kept_plan_that_refuses_a_command_is_decided_again_on_a_read(
    db_pool: asyncpg.Pool,
) -> None:
    plan_id = uuid7()
    sign = SignId(uuid7())
    await run(db_pool, plan_id, create_plan(plan_id))
    await append_elsewhere(db_pool, plan_id, 1, sign)  # the kept plan has no such sign

    result = await run(
        db_pool, plan_id, RetireWarningSign(now=datetime.now(UTC), actor=ALEX, sign_id=sign)
    )

    assert result.version == 3
    assert result.state.signs[sign].retired
    assert await versions(db_pool, plan_id) == [1, 2, 3]
