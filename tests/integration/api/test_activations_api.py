"""Activations through HTTP: recipients, idempotency, acknowledgement, resolution."""

import asyncio
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.support.api import activate, add_support, assert_problem, couple, create_plan, register

pytestmark = pytest.mark.integration


async def test_only_consented_contacts_and_the_other_partner_are_recipients(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    await add_support(client, plan, "Jo", consent="accept")
    await add_support(client, plan, "Lee", consent="decline")
    await add_support(client, plan, "Max", consent=None)
    _, link = await add_support(client, plan, "Ria", consent="accept")
    await client.post(link + "/withdraw")
    await add_support(client, plan, "Kit", consent="accept", scope={"levels": ["crisis"]})
    activation = await activate(client, plan, "setback")
    assert {r["display_name"] for r in activation["recipients"]} == {"Sam", "Jo"}


async def test_an_activation_with_nobody_to_alert_is_409(client: AsyncTestClient[Any]) -> None:
    alex = await register(client, "Alex")
    plan_id = await create_plan(client, alex)
    answer = await client.post(
        f"/v1/plans/{plan_id}/activations", json={"level": "crisis"}, headers=alex.auth
    )
    assert assert_problem(answer, 409)["rule"] == "no_reachable_recipient"


async def test_a_repeated_idempotency_key_activates_once(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    path = f"/v1/plans/{plan.plan_id}/activations"
    headers = {**plan.first.auth, "Idempotency-Key": "tap-1"}
    answers = await asyncio.gather(
        *(client.post(path, json={"level": "crisis"}, headers=headers) for _ in range(5))
    )
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["activation_id"] for a in answers}) == 1
    view = (await client.get(f"/v1/plans/{plan.plan_id}", headers=plan.first.auth)).json()
    assert len(view["activations"]) == 1


async def test_an_idempotency_key_reused_for_another_request_is_422(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    path = f"/v1/plans/{plan.plan_id}/activations"
    headers = {**plan.first.auth, "Idempotency-Key": "tap-2"}
    assert (await client.post(path, json={"level": "watch"}, headers=headers)).status_code == 201
    other = await client.post(path, json={"level": "crisis"}, headers=headers)
    assert_problem(other, 422)


async def test_the_other_partner_acknowledges_once_and_a_partner_resolves(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    activation = await activate(client, plan, "setback", note="hard night")
    one = f"/v1/plans/{plan.plan_id}/activations/{activation['activation_id']}"
    acked = await client.post(one + "/acknowledge", headers=plan.second.auth)
    assert acked.status_code == 200
    assert acked.json()["status"] == "acknowledged"
    again = await client.post(one + "/acknowledge", headers=plan.second.auth)
    assert again.status_code == 200
    assert again.json()["version"] == acked.json()["version"]  # nothing appended
    resolved = await client.post(
        one + "/resolve",
        json={"outcome": "resolved", "reflection": "we talked"},
        headers=plan.first.auth,
    )
    assert resolved.json()["status"] == "resolved"
    view = (await client.get(one, headers=plan.first.auth)).json()
    [sam] = [r for r in view["recipients"] if r["display_name"] == "Sam"]
    assert sam["acknowledged_at"] is not None
    assert view["status"] == "resolved"
    assert view["reflection"] == "we talked"


async def test_the_activating_partner_cannot_acknowledge_their_own_call(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    activation = await activate(client, plan)
    path = f"/v1/plans/{plan.plan_id}/activations/{activation['activation_id']}/acknowledge"
    assert_problem(await client.post(path, headers=plan.first.auth), 403)


async def test_resolving_twice_is_409_and_a_level_can_be_activated_again(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    activation = await activate(client, plan, "watch")
    path = f"/v1/plans/{plan.plan_id}/activations/{activation['activation_id']}/resolve"
    assert (
        await client.post(path, json={"outcome": "false_alarm"}, headers=plan.first.auth)
    ).status_code == 200
    assert_problem(await client.post(path, json={}, headers=plan.first.auth), 409)
    await activate(client, plan, "watch")


async def test_an_unknown_activation_is_404(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    unknown = "01900000-0000-7000-8000-000000000000"
    path = f"/v1/plans/{plan.plan_id}/activations/{unknown}"
    assert_problem(await client.get(path, headers=plan.first.auth), 404)
    assert_problem(await client.post(path + "/acknowledge", headers=plan.second.auth), 404)


async def test_concurrent_edits_each_land_once_or_answer_409(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    answers = await asyncio.gather(
        *(
            client.post(
                f"/v1/plans/{plan.plan_id}/warning-signs",
                json={"category": "c", "description": f"sign {n}"},
                headers=plan.first.auth,
            )
            for n in range(8)
        )
    )
    assert all(a.status_code in (201, 409) for a in answers)
    landed = sum(a.status_code == 201 for a in answers)
    view = (await client.get(f"/v1/plans/{plan.plan_id}", headers=plan.first.auth)).json()
    assert len(view["warning_signs"]) == landed
    assert landed >= 1


async def test_an_activation_that_can_reach_nobody_says_so_in_its_answer_and_status(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)  # Sam set no channels, and there is no contact yet
    activation = await activate(client, plan, "crisis")
    assert activation["reaches_anyone"] is False
    assert activation["unreachable"] == [plan.second.participant_id]
    path = f"/v1/plans/{plan.plan_id}/activations/{activation['activation_id']}"
    view = (await client.get(path, headers=plan.first.auth)).json()
    assert (view["reaches_anyone"], view["unreachable"]) == (False, [plan.second.participant_id])


async def test_an_activation_that_reaches_someone_names_only_who_it_cannot_reach(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    await add_support(client, plan, "Jo", consent="accept")
    activation = await activate(client, plan, "crisis")
    assert activation["reaches_anyone"] is True
    assert activation["unreachable"] == [plan.second.participant_id]
