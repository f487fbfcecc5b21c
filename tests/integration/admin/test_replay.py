"""`tandem replay`: fresh tables swapped in, correct while commands keep committing."""

import asyncio
import contextlib
import gc
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from planner.store import projections, rebuild, replay_pages, unsealing
from planner.store.read_models import INSERT_MEMBER
from tests.integration.admin.support import run_cli
from tests.support.api import Couple, couple, create_plan, register

pytestmark = pytest.mark.integration

MEMBERS = "SELECT plan_id, participant_id FROM plan_members ORDER BY 1, 2"
INVITES = "SELECT code_sha256, plan_id, expires_at FROM partner_invite_codes ORDER BY 1"
# What the events say, straight from the payloads (independent of the code under test).
MEMBERS_FROM_EVENTS = """
SELECT DISTINCT stream_id AS plan_id,
       (payload->>CASE event_type WHEN 'plan.created' THEN 'created_by'
                                  ELSE 'participant_id' END)::uuid AS participant_id
FROM events WHERE event_type IN ('plan.created', 'plan.partner_joined') ORDER BY 1, 2
"""
INVITES_FROM_EVENTS = """
SELECT payload->>'code_sha256' AS code_sha256, stream_id AS plan_id,
       (payload->>'expires_at')::timestamptz AS expires_at
FROM events WHERE event_type = 'plan.partner_invited' ORDER BY 1
"""
SCHEMA = """
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid)
FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
WHERE c.relname IN ('plan_members', 'partner_invite_codes') ORDER BY 1, 2
"""
INDEXES = """
SELECT indexname, indexdef FROM pg_indexes
WHERE tablename IN ('plan_members', 'partner_invite_codes') ORDER BY 1
"""


async def _tables(pool: asyncpg.Pool) -> tuple[list[Any], list[Any]]:
    return (
        [tuple(r) for r in await pool.fetch(MEMBERS)],
        [tuple(r) for r in await pool.fetch(INVITES)],
    )


async def _from_events(pool: asyncpg.Pool) -> tuple[list[Any], list[Any]]:
    return (
        [tuple(r) for r in await pool.fetch(MEMBERS_FROM_EVENTS)],
        [tuple(r) for r in await pool.fetch(INVITES_FROM_EVENTS)],
    )


async def test_replay_rebuilds_every_read_model_from_the_events(
    client: AsyncTestClient[Any], db_url: str, db_pool: asyncpg.Pool
) -> None:
    for _ in range(3):
        await couple(client)
    await db_pool.execute(
        "DELETE FROM plan_members WHERE participant_id IN "
        "(SELECT participant_id FROM plan_members LIMIT 2)"
    )
    await db_pool.execute(
        "INSERT INTO partner_invite_codes VALUES ('stray', gen_random_uuid(), now())"
    )
    schema_before = await db_pool.fetch(SCHEMA)
    indexes_before = await db_pool.fetch(INDEXES)

    code, out, err = await asyncio.to_thread(run_cli, db_url, "replay", "--json")

    assert code == 0, err
    assert '"plan_members":6' in out
    assert await _tables(db_pool) == await _from_events(db_pool)
    assert len((await _tables(db_pool))[0]) == 6
    # The swapped-in tables are the tables the migrations made, names of keys included.
    assert await db_pool.fetch(SCHEMA) == schema_before
    assert await db_pool.fetch(INDEXES) == indexes_before


async def test_replay_of_one_projection_leaves_the_others_alone(
    client: AsyncTestClient[Any], db_url: str, db_pool: asyncpg.Pool
) -> None:
    await couple(client)
    await db_pool.execute(
        "INSERT INTO partner_invite_codes VALUES ('stray', gen_random_uuid(), now())"
    )
    await db_pool.execute("DELETE FROM plan_members")

    code, _, err = await asyncio.to_thread(run_cli, db_url, "replay", "plan_members")

    assert code == 0, err
    assert "events/s" in err
    members, invites = await _tables(db_pool)
    assert members == (await _from_events(db_pool))[0]
    assert "stray" in [row[0] for row in invites]


async def test_a_rebuild_in_pages_of_two_reads_every_page_ahead_and_misses_none(
    client: AsyncTestClient[Any], db_url: str, db_pool: asyncpg.Pool
) -> None:
    for _ in range(3):
        await couple(client)
    await db_pool.execute("DELETE FROM plan_members")
    reached: list[int] = []
    conn = await asyncpg.connect(db_url)
    try:
        result = await rebuild.rebuild(
            conn, projections.select([]), lambda at, _last: reached.append(at), page_size=2
        )
    finally:
        await conn.close()

    assert await _tables(db_pool) == await _from_events(db_pool)
    assert result.rows == {"plan_members": 6, "partner_invite_codes": 3}
    assert result.events_applied == 9  # 3 created, 3 invited, 3 joined: pages of 2
    assert reached == sorted(reached)
    assert len(reached) == 6  # 5 pages, then the end


async def test_a_rebuild_that_fails_mid_load_leaves_the_live_tables_and_the_connection_usable(
    client: AsyncTestClient[Any],
    db_url: str,
    db_pool: asyncpg.Pool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for _ in range(2):
        await couple(client)
    before = await _tables(db_pool)
    decoded = 0
    decode = replay_pages._replayed

    def failing_on_the_third_event(
        row: asyncpg.Record, keys: unsealing.Keys
    ) -> replay_pages.Replayed:
        nonlocal decoded
        decoded += 1
        if decoded == 3:  # page 2, while page 3 is being read ahead
            raise msgspec.ValidationError("a stored payload that does not decode")
        return decode(row, keys)

    monkeypatch.setattr(replay_pages, "_replayed", failing_on_the_third_event)
    conn = await asyncpg.connect(db_url)
    try:
        with pytest.raises(msgspec.ValidationError):
            await rebuild.rebuild(conn, projections.select([]), lambda _a, _b: None, page_size=2)
        # The read sent ahead was cancelled: the connection answers, and a new rebuild runs.
        assert await conn.fetchval("SELECT 1") == 1
        monkeypatch.setattr(replay_pages, "_replayed", decode)
        await rebuild.rebuild(conn, projections.select([]), lambda _a, _b: None, page_size=2)
    finally:
        await conn.close()
    assert await _tables(db_pool) == before
    assert gc.isenabled()


def test_an_unknown_projection_exits_2_naming_the_known_ones(db_url: str) -> None:
    code, _, err = run_cli(db_url, "replay", "plan_members", "nonsense")
    assert code == 2
    assert "nonsense" in err
    assert "plan_members" in err
    assert "partner_invite_codes" in err


async def test_from_position_adds_missing_rows_onto_the_live_tables(
    client: AsyncTestClient[Any], db_url: str, db_pool: asyncpg.Pool
) -> None:
    first = await couple(client)
    second = await couple(client)
    second_start = await db_pool.fetchval(
        "SELECT min(position) FROM events WHERE stream_id = $1", UUID(second.plan_id)
    )
    await db_pool.execute("DELETE FROM plan_members")
    await db_pool.execute(
        "INSERT INTO partner_invite_codes VALUES ('stray', gen_random_uuid(), now())"
    )

    code, _, err = await asyncio.to_thread(
        run_cli, db_url, "replay", "--from-position", str(second_start)
    )

    assert code == 0, err
    members = {str(row["plan_id"]) for row in await db_pool.fetch(MEMBERS)}
    assert members == {second.plan_id}  # events before the position are not re-applied
    assert await db_pool.fetchval("SELECT count(*) FROM plan_members") == 2
    assert first.plan_id not in members
    # Nothing is removed: the stray row stays, and a second run changes nothing.
    assert await db_pool.fetchval("SELECT count(*) FROM partner_invite_codes") == 3
    code, _, _ = await asyncio.to_thread(
        run_cli, db_url, "replay", "--from-position", str(second_start)
    )
    assert code == 0
    assert await db_pool.fetchval("SELECT count(*) FROM plan_members") == 2


async def test_a_command_blocked_by_the_swap_writes_into_the_new_table(
    client: AsyncTestClient[Any], db_url: str, db_pool: asyncpg.Pool
) -> None:
    """The swap locks the live table; a writer waiting on it lands in the swapped-in one."""
    plan = await couple(client)
    newcomer = await register(client, "Kim")
    swapper = await asyncpg.connect(db_url)
    writer = await asyncpg.connect(db_url)
    try:
        selected = projections.select(["plan_members"])
        await swapper.execute(projections.PLAN_MEMBERS.create_fresh)
        await swapper.execute(projections.PLAN_MEMBERS.keys_fresh)
        # The writer's statement is prepared and cached (as in the API's pool) before the
        # swap begins: a rolled-back first use puts it in asyncpg's statement cache.
        with contextlib.suppress(Rollback):
            async with writer.transaction():
                await writer.execute(INSERT_MEMBER, UUID(plan.plan_id), uuid4())
                raise Rollback
        transaction = swapper.transaction()
        await transaction.start()
        await swapper.execute(projections.PLAN_MEMBERS.lock)
        blocked = asyncio.create_task(
            writer.execute(INSERT_MEMBER, UUID(plan.plan_id), UUID(newcomer.participant_id))
        )
        await _until_waiting_for_a_lock(db_pool, writer)
        await swapper.execute(projections.PLAN_MEMBERS.swap)
        await transaction.commit()
        await asyncio.wait_for(blocked, 10)
    finally:
        await writer.close()
        await swapper.close()
    assert selected == [projections.PLAN_MEMBERS]
    rows = await db_pool.fetch("SELECT participant_id FROM plan_members")
    assert [str(r["participant_id"]) for r in rows] == [newcomer.participant_id]


async def test_commands_keep_answering_during_a_rebuild_and_their_rows_survive_the_swap(
    client: AsyncTestClient[Any], db_url: str, db_pool: asyncpg.Pool
) -> None:
    # A store worth rebuilding, so the rebuild and the traffic overlap.
    await db_pool.execute(FILLER)
    owners = [await register(client, f"Owner{i}") for i in range(6)]
    plans = [await create_plan(client, owner) for owner in owners]
    done = asyncio.Event()
    statuses: list[int] = []
    joined: list[Couple] = []

    async def traffic(index: int) -> None:
        owner, plan_id = owners[index], plans[index]
        while not done.is_set():
            invite = await client.post(f"/v1/plans/{plan_id}/partner-invites", headers=owner.auth)
            statuses.append(invite.status_code)
            guest = await register(client, "Guest")
            code = invite.json()["invite_code"]
            accepted = await client.post(f"/v1/partner-invites/{code}/accept", headers=guest.auth)
            statuses.append(accepted.status_code)
            # The membership check reads plan_members: the new partner must pass it at once.
            check_in = await client.post(
                f"/v1/plans/{plan_id}/check-ins",
                json={"mood": 3, "craving": 2},
                headers=guest.auth,
            )
            statuses.append(check_in.status_code)
            joined.append(Couple(plan_id=plan_id, first=owner, second=guest))
            # Two partners at most: start a fresh plan for this writer.
            plan_id = await create_plan(client, owner)
            await asyncio.sleep(0)  # the test client never yields: let the replay's end in

    writers = [asyncio.create_task(traffic(i)) for i in range(len(owners))]
    try:
        # Litestar's test client blocks this loop while a request runs, and a request may
        # wait on the swap's lock: the rebuild runs as the real command, in a thread.
        runs = [await asyncio.to_thread(run_cli, db_url, "replay", "--json") for _ in range(2)]
    finally:
        done.set()
        await asyncio.gather(*writers)

    for code, _, err in runs:
        assert code == 0, err
    caught_up = sum(msgspec.json.decode(out)["caught_up"] for _, out, _ in runs)
    assert statuses
    assert set(statuses) <= {200, 201}, statuses
    assert len(joined) >= 2
    assert caught_up > 0  # commands really committed during the rebuilds
    assert await _tables(db_pool) == await _from_events(db_pool)
    members = {(str(r["plan_id"]), str(r["participant_id"])) for r in await db_pool.fetch(MEMBERS)}
    for pair in joined:
        assert (pair.plan_id, pair.second.participant_id) in members


class Rollback(Exception):
    pass


# 30,000 plan.created events on as many plans, to make the rebuild take a while.
FILLER = """
INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version,
                    payload, metadata)
SELECT s.id, 1, gen_random_uuid(), 'plan.created', 1,
       jsonb_build_object('type', 'plan.created', 'plan_id', s.id, 'title', 'filler',
                          'created_by', gen_random_uuid(), 'creator_name', 'Filler'),
       jsonb_build_object('actor', 'system:test', 'correlation_id', gen_random_uuid())
FROM (SELECT gen_random_uuid() AS id FROM generate_series(1, 30000)) AS s
"""


async def _until_waiting_for_a_lock(pool: asyncpg.Pool, conn: asyncpg.Connection) -> None:
    pid = conn.get_server_pid()
    for _ in range(500):
        if await pool.fetchval(
            "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $1", pid
        ):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the writer never waited for the lock")
