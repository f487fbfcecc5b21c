"""Operators' reads of plans leave a trace the partners and the operators can list."""

from typing import Any
from uuid import UUID

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from common.ids import new_id
from planner.store import accounts
from tests.support.api import activate, assert_problem, couple

pytestmark = pytest.mark.integration

OPERATOR = {"Authorization": "Bearer tdm_o_on_call"}
PLAN_READ = "GET /v1/plans/{plan_id}"
EVENTS_READ = "GET /v1/plans/{plan_id}/events"
ACTIVATION_READ = "GET /v1/plans/{plan_id}/activations/{activation_id}"


@pytest.fixture
async def operator_id(db_pool: asyncpg.Pool) -> UUID:
    operator_id = new_id()
    await accounts.add_operator(db_pool, operator_id, "on call", "tdm_o_on_call")
    return operator_id


async def test_every_operator_read_is_listed_for_the_plans_partners(
    client: AsyncTestClient[Any], operator_id: UUID
) -> None:
    plan, other = await couple(client), await couple(client)
    activation_id = (await activate(client, plan))["activation_id"]
    base = f"/v1/plans/{plan.plan_id}"
    for path in (base, f"{base}/events", f"{base}/activations/{activation_id}"):
        assert (await client.get(path, headers=OPERATOR)).status_code == 200
    assert (await client.get(base, headers=plan.first.auth)).status_code == 200  # not recorded
    assert (await client.get(f"/v1/plans/{other.plan_id}", headers=OPERATOR)).status_code == 200

    seen = await client.get(f"{base}/operator-reads", headers=plan.second.auth)

    assert seen.status_code == 200
    reads = seen.json()["reads"]
    assert [r["operation"] for r in reads] == [ACTIVATION_READ, EVENTS_READ, PLAN_READ]
    assert {r["operator_id"] for r in reads} == {str(operator_id)}
    assert {r["operator_label"] for r in reads} == {"on call"}
    assert {r["plan_id"] for r in reads} == {plan.plan_id}
    assert all(r["read_at"] for r in reads)
    assert seen.json()["next_before"] is None
    theirs = await client.get(f"/v1/plans/{other.plan_id}/operator-reads", headers=other.first.auth)
    assert [r["operation"] for r in theirs.json()["reads"]] == [PLAN_READ]


async def test_operators_list_every_read_newest_first_a_page_at_a_time(
    client: AsyncTestClient[Any], operator_id: UUID
) -> None:
    plan, other = await couple(client), await couple(client)
    for plan_id in (plan.plan_id, other.plan_id, plan.plan_id):
        assert (await client.get(f"/v1/plans/{plan_id}", headers=OPERATOR)).status_code == 200

    first = (await client.get("/v1/operator/reads?limit=2", headers=OPERATOR)).json()
    rest = await client.get(f"/v1/operator/reads?before={first['next_before']}", headers=OPERATOR)
    only = await client.get(f"/v1/operator/reads?plan_id={other.plan_id}", headers=OPERATOR)

    read_plans = [r["plan_id"] for r in first["reads"] + rest.json()["reads"]]
    assert read_plans == [plan.plan_id, other.plan_id, plan.plan_id]
    assert rest.json()["next_before"] is None
    assert [r["plan_id"] for r in only.json()["reads"]] == [other.plan_id]


async def test_a_read_of_no_plan_records_nothing(
    client: AsyncTestClient[Any], operator_id: UUID
) -> None:
    assert_problem(await client.get(f"/v1/plans/{new_id()}", headers=OPERATOR), 404)
    assert (await client.get("/v1/operator/reads", headers=OPERATOR)).json()["reads"] == []


async def test_a_read_that_cannot_be_recorded_is_not_served(
    client: AsyncTestClient[Any], db_pool: asyncpg.Pool, operator_id: UUID
) -> None:
    plan = await couple(client)
    await db_pool.execute(
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'disk full'; END; $$;"
        "CREATE TRIGGER refuse BEFORE INSERT ON operator_reads "
        "FOR EACH ROW EXECUTE FUNCTION refuse()"
    )

    answer = await client.get(f"/v1/plans/{plan.plan_id}", headers=OPERATOR)

    assert answer.status_code >= 500
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "Our plan" not in answer.text


@pytest.mark.parametrize(
    "change", ["UPDATE operator_reads SET plan_id = $1", "DELETE FROM operator_reads"]
)
async def test_the_record_of_reads_cannot_be_edited(
    client: AsyncTestClient[Any], db_pool: asyncpg.Pool, operator_id: UUID, change: str
) -> None:
    plan = await couple(client)
    assert (await client.get(f"/v1/plans/{plan.plan_id}", headers=OPERATOR)).status_code == 200
    args = (new_id(),) if "$1" in change else ()

    with pytest.raises(asyncpg.RestrictViolationError, match="append-only"):
        await db_pool.execute(change, *args)
