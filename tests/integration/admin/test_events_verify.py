"""`tandem events verify` on a real store: clean, then changed behind the service's back."""

import asyncio
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
import pytest
from typer.testing import CliRunner
from uuid_utils.compat import uuid7

from planner.cli import app
from planner.store.appending import append
from planner.store.event_store import NewEvent
from tests.integration.test_event_store import METADATA, created, new, sign
from tests.support.builders import CHAIN_KEY

pytestmark = pytest.mark.integration

SECRET = "tests-secret-key"  # the secret CHAIN_KEY derives from

EDIT_PAYLOAD = """
UPDATE events SET payload = jsonb_set(payload, '{description}', '"edited"')
WHERE stream_id = $1 AND stream_version = $2
"""
DROP_CATEGORY = """
UPDATE events SET payload = payload - 'category' WHERE stream_id = $1 AND stream_version = $2
"""
EARLIER = """
UPDATE events SET recorded_at = recorded_at - interval '1 day'
WHERE stream_id = $1 AND stream_version = $2
"""
OTHER_ACTOR = """
UPDATE events SET metadata = jsonb_set(metadata, '{actor}', '"operator:x"')
WHERE stream_id = $1 AND stream_version = $2
"""
POSITION_OF = "SELECT position FROM events WHERE stream_id = $1 AND stream_version = $2"


def verify(db_url: str, secret: str = SECRET) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(
        app,
        ["events", "verify", "--json"],
        env={"TANDEM_DATABASE_URL": db_url, "TANDEM_SECRET_KEY": secret},
    )
    assert result.exit_code in {0, 1}, result.stderr
    report: dict[str, Any] = msgspec.json.decode(result.stdout)
    return result.exit_code, report


async def two_plans(db_pool: asyncpg.Pool) -> list[UUID]:
    plans = [uuid7(), uuid7()]
    for plan in plans:
        for batch in ([new(created(plan)), new(sign("first"))], [new(sign("second"))]):
            await _append(db_pool, plan, batch)
    return plans


async def _append(db_pool: asyncpg.Pool, plan: UUID, batch: list[NewEvent]) -> None:
    async with db_pool.acquire() as conn, conn.transaction():
        await append(conn, plan, batch, "any", METADATA, chain_key=CHAIN_KEY)


async def behind_the_service(db_pool: asyncpg.Pool, change: str, *args: object) -> None:
    """What a superuser can do: switch the append-only trigger off, change, switch it on."""
    async with db_pool.acquire() as conn, conn.transaction():
        await conn.execute("ALTER TABLE events DISABLE TRIGGER events_append_only")
        await conn.execute(change, *args)
        await conn.execute("ALTER TABLE events ENABLE ALWAYS TRIGGER events_append_only")


async def drop_event(db_pool: asyncpg.Pool, stream_id: UUID, version: int) -> None:
    position = await db_pool.fetchval(POSITION_OF, stream_id, version)
    await db_pool.execute("DELETE FROM outbox WHERE position = $1", position)
    await behind_the_service(db_pool, "DELETE FROM events WHERE position = $1", position)


def problems(report: dict[str, Any]) -> list[tuple[str, int | None]]:
    return [(p["check"], p.get("stream_version")) for p in report["problems"]]


async def test_a_store_written_by_the_service_verifies(db_url: str, db_pool: asyncpg.Pool) -> None:
    await two_plans(db_pool)
    code, report = await asyncio.to_thread(verify, db_url)
    assert code == 0
    assert report["events"] == 6
    assert report["streams"] == 2
    assert report["outbox_pending"] == 6  # no relay ran: every event waits, none is lost
    assert report["problems"] == []


async def test_an_edited_payload_is_reported_with_its_stream_and_version(
    db_url: str, db_pool: asyncpg.Pool
) -> None:
    plan, _ = await two_plans(db_pool)
    await behind_the_service(db_pool, EDIT_PAYLOAD, plan, 2)
    code, report = await asyncio.to_thread(verify, db_url)
    assert code == 1
    [problem] = report["problems"]
    assert problem["check"] == "chain"
    assert (problem["stream_id"], problem["stream_version"]) == (str(plan), 2)


async def test_an_edited_time_or_actor_breaks_the_chain_too(
    db_url: str, db_pool: asyncpg.Pool
) -> None:
    plan, other = await two_plans(db_pool)
    await behind_the_service(db_pool, EARLIER, plan, 1)
    await behind_the_service(db_pool, OTHER_ACTOR, other, 3)
    code, report = await asyncio.to_thread(verify, db_url)
    assert code == 1
    found = {(p["stream_id"], p["stream_version"], p["check"]) for p in report["problems"]}
    assert found == {(str(plan), 1, "chain"), (str(other), 3, "chain")}


async def test_a_deleted_event_leaves_a_gap_and_a_broken_link(
    db_url: str, db_pool: asyncpg.Pool
) -> None:
    plan, _ = await two_plans(db_pool)
    await drop_event(db_pool, plan, 2)
    code, report = await asyncio.to_thread(verify, db_url)
    assert code == 1
    assert sorted(problems(report)) == [("chain", 3), ("versions", 3)]


async def test_another_secret_key_fails_every_link(db_url: str, db_pool: asyncpg.Pool) -> None:
    await two_plans(db_pool)
    code, report = await asyncio.to_thread(verify, db_url, "not-the-key")
    assert code == 1
    assert {p["check"] for p in report["problems"]} == {"chain"}
    assert len(report["problems"]) == 6


async def test_an_event_that_no_longer_decodes_or_lost_its_outbox_row_is_reported(
    db_url: str, db_pool: asyncpg.Pool
) -> None:
    plan, other = await two_plans(db_pool)
    await behind_the_service(db_pool, DROP_CATEGORY, plan, 2)
    position = await db_pool.fetchval(POSITION_OF, other, 1)
    await db_pool.execute("DELETE FROM outbox WHERE position = $1", position)
    code, report = await asyncio.to_thread(verify, db_url)
    assert code == 1
    assert sorted(problems(report)) == [("chain", 2), ("decode", 2), ("outbox", 1)]


async def test_events_from_before_the_chain_are_counted_not_failed(
    db_url: str, db_pool: asyncpg.Pool
) -> None:
    await two_plans(db_pool)
    # Events from before migration 0005 carry no hash; the chain starts after them.
    await behind_the_service(db_pool, "UPDATE events SET hash = NULL")
    await db_pool.execute(
        "UPDATE event_chain SET starts_after = (SELECT max(position) FROM events)"
    )
    code, report = await asyncio.to_thread(verify, db_url)
    assert code == 0
    assert report["unchained"] == 6

    await db_pool.execute("UPDATE event_chain SET starts_after = 0")  # a hash removed later
    code, report = await asyncio.to_thread(verify, db_url)
    assert code == 1
    assert {p["check"] for p in report["problems"]} == {"chain"}


def test_verify_without_the_service_secret_says_so_instead_of_guessing(
    db_url: str, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        app,
        ["events", "verify"],
        env={"TANDEM_DATABASE_URL": db_url, "TANDEM_HOME": str(tmp_path), "TANDEM_SECRET_KEY": ""},
    )
    assert result.exit_code == 2
    assert "TANDEM_SECRET_KEY" in result.stderr
    assert not (tmp_path / "secret_key").exists()  # no random key made up on the way
