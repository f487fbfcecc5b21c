"""Support contacts, their consent through a signed link, and escalation policies."""

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.support.api import activate, add_support, assert_problem, couple

pytestmark = pytest.mark.integration


async def test_a_contact_reads_what_is_asked_without_any_health_detail(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    await client.post(
        f"/v1/plans/{plan.plan_id}/warning-signs",
        json={"category": "drinking", "description": "secret bottle"},
        headers=plan.first.auth,
    )
    _, link = await add_support(client, plan, consent=None)
    answer = await client.get(link)
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "pending"
    assert body["asked_by"] == ["Alex", "Sam"]
    assert "secret bottle" not in answer.text
    assert "drinking" not in answer.text


async def test_consent_is_given_with_a_scope_and_can_be_withdrawn(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    contact_id, link = await add_support(
        client, plan, scope={"levels": ["crisis"], "share_notes": True}
    )
    view = (await client.get(f"/v1/plans/{plan.plan_id}", headers=plan.first.auth)).json()
    [support] = view["supports"]
    assert support["consent"] == "given"
    assert support["scope"] == {"levels": ["crisis"], "share_signs": False, "share_notes": True}
    withdrawn = await client.post(link + "/withdraw")
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["contact_id"] == contact_id


async def test_a_forged_or_tampered_consent_link_is_404(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    _, link = await add_support(client, plan, consent=None)
    assert_problem(await client.get(link[:-3] + "AAA"), 404)
    assert_problem(await client.get("/v1/consents/garbage"), 404)
    assert_problem(await client.post("/v1/consents/a.b", json={"decision": "accept"}), 404)


async def test_a_removed_contacts_link_no_longer_works(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    contact_id, link = await add_support(client, plan, consent=None)
    removed = await client.delete(
        f"/v1/plans/{plan.plan_id}/supports/{contact_id}", headers=plan.first.auth
    )
    assert removed.status_code == 200
    assert_problem(await client.post(link, json={"decision": "accept"}), 404)


async def test_withdrawing_without_consent_is_409(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    _, link = await add_support(client, plan, consent="decline")
    assert_problem(await client.post(link + "/withdraw"), 409)


async def test_an_unknown_decision_is_422(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    _, link = await add_support(client, plan, consent=None)
    assert_problem(await client.post(link, json={"decision": "maybe"}), 422)


async def test_an_escalation_policy_orders_contacts_in_tiers(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    jo, _ = await add_support(client, plan, "Jo")
    lee, _ = await add_support(client, plan, "Lee")
    answer = await client.put(
        f"/v1/plans/{plan.plan_id}/escalation",
        json={
            "level": "crisis",
            "tiers": [
                {"contact_ids": [jo], "ack_timeout_seconds": 300},
                {"contact_ids": [lee], "ack_timeout_seconds": 600},
            ],
        },
        headers=plan.first.auth,
    )
    assert answer.status_code == 200
    activation = await activate(client, plan, "crisis")
    tiers = {r["display_name"]: r["tier"] for r in activation["recipients"]}
    assert tiers == {"Sam": 1, "Jo": 1, "Lee": 2}


async def test_an_escalation_policy_naming_an_unknown_contact_is_404(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    answer = await client.put(
        f"/v1/plans/{plan.plan_id}/escalation",
        json={
            "level": "crisis",
            "tiers": [
                {"contact_ids": ["01900000-0000-7000-8000-000000000000"], "ack_timeout_seconds": 60}
            ],
        },
        headers=plan.first.auth,
    )
    assert_problem(answer, 404)


async def test_an_escalation_timeout_out_of_range_is_422(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    jo, _ = await add_support(client, plan, "Jo")
    answer = await client.put(
        f"/v1/plans/{plan.plan_id}/escalation",
        json={"level": "crisis", "tiers": [{"contact_ids": [jo], "ack_timeout_seconds": 0}]},
        headers=plan.first.auth,
    )
    assert_problem(answer, 422)
