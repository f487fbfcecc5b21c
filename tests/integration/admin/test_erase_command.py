"""`tandem erase --participant ID | --contact ID`: an operator erases a person."""

import asyncio
from typing import Any
from uuid import uuid4

import asyncpg
import pytest
from litestar.testing import AsyncTestClient
from typer.testing import CliRunner

from planner.cli import app
from tests.support.api import TEST_SECRET, activate, add_support, couple

pytestmark = pytest.mark.integration


def erase(db_url: str, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    env = {"TANDEM_DATABASE_URL": db_url, "TANDEM_SECRET_KEY": TEST_SECRET.decode()}
    result = CliRunner().invoke(app, ["erase", *args], env=env, input=stdin)
    return result.exit_code, result.stdout, result.stderr


async def test_an_operator_erases_a_support_contact_and_a_participant(
    client: AsyncTestClient[Any], db_url: str
) -> None:
    plan = await couple(client)
    jo, _ = await add_support(client, plan, "Jo-Marrowfield")
    base = f"/v1/plans/{plan.plan_id}"

    code, out, err = await asyncio.to_thread(erase, db_url, "--contact", jo, "--yes")

    assert code == 0, err
    assert f"erased support contact {jo}; recorded on: {plan.plan_id}" in err
    assert "Jo-Marrowfield" not in out + err
    shown = await client.get(base, headers=plan.first.auth)
    assert "Jo-Marrowfield" not in shown.text
    assert "jo-marrowfield@example.org" not in shown.text
    [contact] = [c for c in shown.json()["supports"] if c["contact_id"] == jo]
    assert contact["display_name"] == "[erased]"

    code, _, err = await asyncio.to_thread(erase, db_url, "--contact", jo, "--yes")
    assert code == 0, err
    assert "erased there already" in err

    sam = plan.second.participant_id
    code, _, err = await asyncio.to_thread(erase, db_url, "--participant", sam, "--yes")
    assert code == 0, err
    assert (await client.get("/v1/participants/me", headers=plan.second.auth)).status_code == 401
    kept = await client.get(base, headers=plan.first.auth)
    assert [p["participant_id"] for p in kept.json()["partners"]] == [plan.first.participant_id]


async def test_erase_refuses_unknown_people_open_requests_and_unclear_arguments(
    client: AsyncTestClient[Any], db_url: str, db_pool: asyncpg.Pool
) -> None:
    plan = await couple(client)
    await add_support(client, plan, "Jo")
    await activate(client, plan)
    alex = plan.first.participant_id

    code, _, err = await asyncio.to_thread(erase, db_url, "--participant", alex, "--yes")
    assert code == 1
    assert "resolve it first" in err
    assert await db_pool.fetchval(
        "SELECT count(*) FROM participants WHERE participant_id = $1", alex
    )

    for who in ("--participant", "--contact"):
        code, _, err = await asyncio.to_thread(erase, db_url, who, str(uuid4()), "--yes")
        assert code == 1
        assert "not erased: no " in err

    code, _, err = await asyncio.to_thread(erase, db_url)
    assert code == 2
    assert "--participant ID or --contact ID" in err
    code, _, err = await asyncio.to_thread(erase, db_url, "--participant", alex, stdin="n\n")
    assert code == 1
    assert "nothing erased" in err


async def test_a_replay_of_the_memberships_leaves_an_erased_partner_out(
    client: AsyncTestClient[Any], db_url: str, db_pool: asyncpg.Pool
) -> None:
    plan = await couple(client)
    sam = plan.second.participant_id
    code, _, err = await asyncio.to_thread(erase, db_url, "--participant", sam, "--yes")
    assert code == 0, err

    replayed = await asyncio.to_thread(
        CliRunner().invoke, app, ["replay", "plan_members"], env={"TANDEM_DATABASE_URL": db_url}
    )

    assert replayed.exit_code == 0, replayed.stderr
    members = await db_pool.fetch("SELECT participant_id::text FROM plan_members")
    assert [m[0] for m in members] == [plan.first.participant_id]
