"""Plans kept in memory: a load reads only newer events, and the database stays the truth."""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from msgspec.structs import replace
from uuid_utils.compat import uuid7

from contracts.envelope import Metadata
from contracts.events import PlanEvent
from contracts.ids import EventId, SignId
from planner.domain.evolve import fold
from planner.store import appending, event_store
from planner.store.event_store import NewEvent
from planner.store.plan_states import PlanStates
from tests.support.builders import CHAIN_KEY, PLAN_ID, plan_created, sign_added, sign_retired

pytestmark = pytest.mark.integration

METADATA = Metadata(actor="participant:test", correlation_id=UUID(int=1))


class ReadSpy:
    """Records from which version each read of a stream started."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.after_versions: list[int] = []
        read = event_store.read_stream_and_head

        async def spy(conn: Any, stream_id: UUID, **kwargs: Any) -> Any:
            self.after_versions.append(kwargs.get("after_version", 0))
            return await read(conn, stream_id, **kwargs)

        monkeypatch.setattr(event_store, "read_stream_and_head", spy)


async def _append(
    pool: asyncpg.Pool, *events: PlanEvent, after: int = 0, plan_id: UUID = PLAN_ID
) -> None:
    batch = [NewEvent(event_id=EventId(uuid7()), event=event) for event in events]
    async with pool.acquire() as conn:
        await appending.append(
            conn, plan_id, batch, after or "no_stream", METADATA, chain_key=CHAIN_KEY
        )


async def _stored(pool: asyncpg.Pool) -> Sequence[PlanEvent]:
    return [envelope.event for envelope in await event_store.read_stream(pool, PLAN_ID)]


async def test_a_kept_plan_is_loaded_by_reading_only_its_newer_events(
    db_pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    plans = PlanStates()
    await _append(db_pool, plan_created(), sign_added())
    first = await plans.load(db_pool, PLAN_ID)
    await _append(db_pool, sign_retired(), after=2)  # by another process, say
    reads = ReadSpy(monkeypatch)

    second = await plans.load(db_pool, PLAN_ID)

    assert reads.after_versions == [1]  # from the kept version, which it checks
    assert first is not None
    assert first.version == 2
    assert second is not None
    assert second.version == 3
    assert second == fold(await _stored(db_pool))


async def test_an_unchanged_kept_plan_is_the_same_state(db_pool: asyncpg.Pool) -> None:
    plans = PlanStates()
    await _append(db_pool, plan_created(), sign_added())

    first = await plans.load(db_pool, PLAN_ID)

    assert await plans.load(db_pool, PLAN_ID) is first


async def test_a_database_with_another_history_of_the_plan_is_folded_anew(
    db_pool: asyncpg.Pool, other_pool: asyncpg.Pool
) -> None:
    plans = PlanStates()
    await _append(db_pool, plan_created(), sign_added(SignId(uuid7())))
    await plans.load(db_pool, PLAN_ID)
    # The same plan id, its second event another one: a restore of something else, say.
    await _append(other_pool, plan_created(), sign_added(), sign_retired())

    loaded = await plans.load(other_pool, PLAN_ID)

    assert loaded == fold(await _stored(other_pool))


async def test_a_database_behind_the_kept_plan_is_folded_anew(
    db_pool: asyncpg.Pool, other_pool: asyncpg.Pool
) -> None:
    plans = PlanStates()
    await _append(db_pool, plan_created(), sign_added(), sign_retired())
    await plans.load(db_pool, PLAN_ID)
    await _append(other_pool, plan_created())  # an older backup restored, say

    loaded = await plans.load(other_pool, PLAN_ID)

    assert loaded is not None
    assert loaded.version == 1
    assert loaded == fold(await _stored(other_pool))


async def test_a_plan_with_no_events_is_none_and_not_kept(db_pool: asyncpg.Pool) -> None:
    plans = PlanStates()

    assert await plans.load(db_pool, PLAN_ID) is None
    assert len(plans) == 0


async def test_the_least_recently_used_plan_is_dropped_beyond_capacity(
    db_pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    plans = PlanStates(capacity=1)
    other_plan = UUID(int=7)
    await _append(db_pool, plan_created())
    await _append(db_pool, replace(plan_created(), plan_id=other_plan), plan_id=other_plan)
    await plans.load(db_pool, PLAN_ID)
    await plans.load(db_pool, other_plan)
    reads = ReadSpy(monkeypatch)

    await plans.load(db_pool, PLAN_ID)

    assert reads.after_versions == [0]  # dropped for the other plan: loaded whole again
    assert len(plans) == 1
