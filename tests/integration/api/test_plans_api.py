"""Participants, plans, history, as_of and partner invites through HTTP."""

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from common.ids import new_id
from planner.store import accounts
from tests.support.api import assert_problem, couple, create_plan, register

pytestmark = pytest.mark.integration


async def test_registering_returns_a_token_that_identifies_the_participant(
    client: AsyncTestClient[Any],
) -> None:
    alex = await register(client, "Alex")
    me = await client.get("/v1/participants/me", headers=alex.auth)
    assert me.status_code == 200
    assert me.json()["participant_id"] == alex.participant_id
    assert me.json()["display_name"] == "Alex"


async def test_a_new_plan_has_its_creator_as_partner_and_an_etag(
    client: AsyncTestClient[Any],
) -> None:
    alex = await register(client, "Alex")
    created = await client.post("/v1/plans", json={"title": "Us"}, headers=alex.auth)
    assert created.status_code == 201
    assert created.json()["version"] == 1
    assert created.headers["etag"] == '"1"'
    plan = await client.get(f"/v1/plans/{created.json()['plan_id']}", headers=alex.auth)
    assert plan.status_code == 200
    assert plan.headers["etag"] == '"1"'
    assert [p["display_name"] for p in plan.json()["partners"]] == ["Alex"]


async def test_an_unchanged_plan_answers_304_to_if_none_match(client: AsyncTestClient[Any]) -> None:
    alex = await register(client, "Alex")
    plan_id = await create_plan(client, alex)
    again = await client.get(f"/v1/plans/{plan_id}", headers={**alex.auth, "If-None-Match": '"1"'})
    assert again.status_code == 304


async def test_an_invited_partner_joins_and_a_third_cannot(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    view = await client.get(f"/v1/plans/{plan.plan_id}", headers=plan.second.auth)
    assert view.status_code == 200
    assert {p["display_name"] for p in view.json()["partners"]} == {"Alex", "Sam"}
    full = await client.post(f"/v1/plans/{plan.plan_id}/partner-invites", headers=plan.first.auth)
    assert assert_problem(full, 409)["rule"] == "plan_full"


async def test_an_invite_code_works_once(client: AsyncTestClient[Any]) -> None:
    alex, sam, kim = [await register(client, n) for n in ("Alex", "Sam", "Kim")]
    plan_id = await create_plan(client, alex)
    code = (await client.post(f"/v1/plans/{plan_id}/partner-invites", headers=alex.auth)).json()[
        "invite_code"
    ]
    assert (
        await client.post(f"/v1/partner-invites/{code}/accept", headers=sam.auth)
    ).status_code == 200
    again = await client.post(f"/v1/partner-invites/{code}/accept", headers=kim.auth)
    assert_problem(again, 409)


async def test_an_unknown_invite_code_is_404(client: AsyncTestClient[Any]) -> None:
    alex = await register(client, "Alex")
    assert_problem(await client.post("/v1/partner-invites/nope/accept", headers=alex.auth), 404)


async def test_history_is_paged_in_stream_order(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    for n in range(3):
        await client.post(
            f"/v1/plans/{plan.plan_id}/warning-signs",
            json={"category": "sleep", "description": f"sign {n}"},
            headers=plan.first.auth,
        )
    first = await client.get(
        f"/v1/plans/{plan.plan_id}/events", params={"limit": 2}, headers=plan.first.auth
    )
    assert first.status_code == 200
    page = first.json()
    assert [e["stream_version"] for e in page["events"]] == [1, 2]
    assert page["events"][0]["type"] == "plan.created"
    rest = await client.get(
        f"/v1/plans/{plan.plan_id}/events",
        params={"after": page["next_after"], "limit": 10},
        headers=plan.first.auth,
    )
    assert [e["stream_version"] for e in rest.json()["events"]] == [3, 4, 5, 6]
    assert rest.json()["next_after"] is None


async def test_as_of_shows_the_plan_as_it_was(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    await client.post(
        f"/v1/plans/{plan.plan_id}/warning-signs",
        json={"category": "sleep", "description": "up all night"},
        headers=plan.first.auth,
    )
    await asyncio.sleep(0.01)  # distinct commit times, not an assertion wait
    before = datetime.now(UTC).isoformat()
    await asyncio.sleep(0.01)
    await client.post(
        f"/v1/plans/{plan.plan_id}/warning-signs",
        json={"category": "mood", "description": "snapping at people"},
        headers=plan.first.auth,
    )
    then = await client.get(
        f"/v1/plans/{plan.plan_id}", params={"as_of": before}, headers=plan.first.auth
    )
    now = await client.get(f"/v1/plans/{plan.plan_id}", headers=plan.first.auth)
    assert len(then.json()["warning_signs"]) == 1
    assert len(now.json()["warning_signs"]) == 2
    assert then.json()["version"] == now.json()["version"] - 1


async def test_as_of_before_the_plan_existed_is_404(client: AsyncTestClient[Any]) -> None:
    alex = await register(client, "Alex")
    plan_id = await create_plan(client, alex)
    answer = await client.get(
        f"/v1/plans/{plan_id}", params={"as_of": "2000-01-01T00:00:00Z"}, headers=alex.auth
    )
    assert_problem(answer, 404)


async def test_a_malformed_as_of_is_422(client: AsyncTestClient[Any]) -> None:
    alex = await register(client, "Alex")
    plan_id = await create_plan(client, alex)
    answer = await client.get(
        f"/v1/plans/{plan_id}", params={"as_of": "yesterday"}, headers=alex.auth
    )
    assert_problem(answer, 422)


async def test_an_operator_reads_any_plan_but_edits_none(
    client: AsyncTestClient[Any], db_pool: Any
) -> None:
    await accounts.add_operator(db_pool, new_id(), "ops", "tdm_o_test")
    operator = {"Authorization": "Bearer tdm_o_test"}
    plan = await couple(client)
    assert (
        await client.get(f"/v1/plans/{plan.plan_id}/events", headers=operator)
    ).status_code == 200
    assert (await client.get(f"/v1/plans/{plan.plan_id}", headers=operator)).status_code == 200
    edit = await client.post(
        f"/v1/plans/{plan.plan_id}/warning-signs",
        json={"category": "sleep", "description": "x"},
        headers=operator,
    )
    assert_problem(edit, 403)
