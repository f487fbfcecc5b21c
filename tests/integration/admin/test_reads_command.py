"""``tandem reads``: operators' reads of plans, as an operator lists them."""

import asyncio
import json

import asyncpg
import pytest
from typer.testing import CliRunner

from common.ids import new_id
from planner.cli import app
from planner.store import accounts, operator_reads

pytestmark = pytest.mark.integration


def run(db_url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["reads", *args], env={"TANDEM_DATABASE_URL": db_url})
    return result.exit_code, result.stdout, result.stderr


async def test_reads_lists_who_read_which_plan_newest_first(
    db_url: str, db_pool: asyncpg.Pool
) -> None:
    operator_id, plan, other = new_id(), new_id(), new_id()
    await accounts.add_operator(db_pool, operator_id, "on call", "tdm_o_x")
    await operator_reads.record(db_pool, operator_id, plan, "GET /v1/plans/{plan_id}")
    await operator_reads.record(db_pool, operator_id, other, "GET /v1/plans/{plan_id}/events")

    code, out, err = await asyncio.to_thread(run, db_url)
    assert code == 0, err
    first, second = out.splitlines()
    assert f"on call ({operator_id})  plan {other}  GET /v1/plans/{{plan_id}}/events" in first
    assert f"plan {plan}  GET /v1/plans/{{plan_id}}" in second

    code, out, _ = await asyncio.to_thread(run, db_url, "--plan", str(plan), "--json")
    assert code == 0
    [read] = json.loads(out)["reads"]
    assert read["plan_id"] == str(plan)
    assert read["operator_label"] == "on call"


def test_reads_of_a_quiet_store_say_so(db_url: str) -> None:
    code, out, err = run(db_url)
    assert code == 0
    assert out == ""
    assert "no operator has read any plan" in err
