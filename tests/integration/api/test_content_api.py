"""Warning signs, response steps and check-ins through HTTP."""

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.support.api import assert_problem, couple

pytestmark = pytest.mark.integration


async def test_a_warning_sign_is_added_revised_and_retired_with_history_kept(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    signs = f"/v1/plans/{plan.plan_id}/warning-signs"
    added = await client.post(
        signs,
        json={
            "category": "sleep",
            "description": "up all night",
            "owner_id": plan.second.participant_id,
        },
        headers=plan.first.auth,
    )
    assert added.status_code == 201
    sign_id = added.json()["sign_id"]
    revised = await client.patch(
        f"{signs}/{sign_id}", json={"description": "up past 3am"}, headers=plan.second.auth
    )
    assert revised.status_code == 200
    retired = await client.delete(f"{signs}/{sign_id}", headers=plan.first.auth)
    assert retired.status_code == 200
    view = (await client.get(f"/v1/plans/{plan.plan_id}", headers=plan.first.auth)).json()
    [sign] = view["warning_signs"]
    assert sign["owner_id"] == plan.second.participant_id
    assert sign["description"] == "up past 3am"
    assert sign["retired"] is True
    history = (await client.get(f"/v1/plans/{plan.plan_id}/events", headers=plan.first.auth)).json()
    assert [e["type"] for e in history["events"]][-3:] == [
        "plan.warning_sign_added",
        "plan.warning_sign_revised",
        "plan.warning_sign_retired",
    ]


async def test_retiring_a_retired_sign_is_409_and_an_unknown_sign_404(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    signs = f"/v1/plans/{plan.plan_id}/warning-signs"
    sign_id = (
        await client.post(
            signs, json={"category": "a", "description": "b"}, headers=plan.first.auth
        )
    ).json()["sign_id"]
    await client.delete(f"{signs}/{sign_id}", headers=plan.first.auth)
    assert_problem(await client.delete(f"{signs}/{sign_id}", headers=plan.first.auth), 409)
    unknown = "01900000-0000-7000-8000-000000000000"
    assert_problem(
        await client.patch(
            f"{signs}/{unknown}", json={"description": "x"}, headers=plan.first.auth
        ),
        404,
    )


async def test_a_sign_owned_by_a_non_partner_is_422(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    answer = await client.post(
        f"/v1/plans/{plan.plan_id}/warning-signs",
        json={
            "category": "sleep",
            "description": "x",
            "owner_id": "01900000-0000-7000-8000-000000000000",
        },
        headers=plan.first.auth,
    )
    assert_problem(answer, 422)


async def test_response_steps_are_added_per_level_revised_and_removed(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    steps = f"/v1/plans/{plan.plan_id}/response-steps"
    added = await client.post(
        steps, json={"level": "crisis", "description": "call 988"}, headers=plan.first.auth
    )
    assert added.status_code == 201
    step_id = added.json()["step_id"]
    revised = await client.patch(
        f"{steps}/{step_id}", json={"level": "setback"}, headers=plan.first.auth
    )
    assert revised.status_code == 200
    view = (await client.get(f"/v1/plans/{plan.plan_id}", headers=plan.first.auth)).json()
    assert view["response_steps"] == [
        {"step_id": step_id, "level": "setback", "description": "call 988"}
    ]
    assert (await client.delete(f"{steps}/{step_id}", headers=plan.first.auth)).status_code == 200
    assert_problem(await client.delete(f"{steps}/{step_id}", headers=plan.first.auth), 404)


async def test_a_check_in_is_recorded_with_the_signs_noticed(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    sign_id = (
        await client.post(
            f"/v1/plans/{plan.plan_id}/warning-signs",
            json={"category": "sleep", "description": "late"},
            headers=plan.first.auth,
        )
    ).json()["sign_id"]
    answer = await client.post(
        f"/v1/plans/{plan.plan_id}/check-ins",
        json={"mood": 3, "craving": 6, "note": "rough day", "signs_noticed": [sign_id]},
        headers=plan.second.auth,
    )
    assert answer.status_code == 201
    view = (await client.get(f"/v1/plans/{plan.plan_id}", headers=plan.first.auth)).json()
    [check_in] = view["check_ins"]
    assert check_in["craving"] == 6
    assert check_in["participant_id"] == plan.second.participant_id


async def test_a_check_in_naming_an_unknown_sign_is_404(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    answer = await client.post(
        f"/v1/plans/{plan.plan_id}/check-ins",
        json={"mood": 3, "craving": 1, "signs_noticed": ["01900000-0000-7000-8000-000000000000"]},
        headers=plan.first.auth,
    )
    assert_problem(answer, 404)
