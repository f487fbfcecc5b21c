"""Support contacts, their consent through a signed link, and escalation policies."""

from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from planner.settings import Settings
from tests.support.api import activate, add_support, assert_problem, consent_link, couple
from tests.support.app_client import app_client
from tests.support.eventually import eventually

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


async def test_a_partner_never_gets_a_contacts_consent_link(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    contact_id, link = await add_support(client, plan, consent=None)
    token = link.removeprefix("/v1/consents/")
    signature = token.split(".")[1]
    for partner in (plan.first, plan.second):
        for path in (f"/v1/plans/{plan.plan_id}", f"/v1/plans/{plan.plan_id}/events"):
            seen = await client.get(path, headers=partner.auth)
            assert seen.status_code == 200, seen.text
            assert "consent_url" not in seen.text
            assert "/v1/consents/" not in seen.text
            assert "/consent/" not in seen.text
            assert signature not in seen.text
    view = (await client.get(f"/v1/plans/{plan.plan_id}", headers=plan.first.auth)).json()
    [support] = view["supports"]
    assert (support["contact_id"], support["consent"]) == (contact_id, "pending")
    assert support["consent_requested_until"] is not None


async def test_a_consent_link_takes_one_decision(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    _, link = await add_support(client, plan, consent="accept")
    again = await client.post(link, json={"decision": "accept"})
    assert again.status_code == 200  # the same answer twice changes nothing
    assert again.json()["status"] == "given"
    others = [
        ({"decision": "decline"}, "consent_given"),  # withdraw instead
        ({"decision": "accept", "scope": {"levels": ["watch"]}}, "consent_request_decided"),
    ]
    for other, rule in others:
        assert assert_problem(await client.post(link, json=other), 409)["rule"] == rule
    assert (await client.post(link + "/withdraw")).status_code == 200
    refused = assert_problem(await client.post(link, json={"decision": "accept"}), 409)
    assert refused["rule"] == "consent_request_decided"
    assert "final" in refused["detail"]


async def test_a_declined_link_never_accepts(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    _, link = await add_support(client, plan, consent="decline")
    refused = assert_problem(await client.post(link, json={"decision": "accept"}), 409)
    assert refused["rule"] == "consent_request_decided"
    view = (await client.get(link)).json()
    assert (view["status"], view["open"]) == ("declined", False)


async def test_a_partner_asks_again_and_only_the_new_link_answers(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    contact_id, first = await add_support(client, plan, consent="decline")
    asked = await client.post(
        f"/v1/plans/{plan.plan_id}/supports/{contact_id}/consent-requests",
        headers=plan.second.auth,
    )
    assert asked.status_code == 201, asked.text
    assert asked.json()["contact_id"] == contact_id
    assert "/v1/consents/" not in asked.text
    assert "/consent/" not in asked.text
    second = await consent_link(client, plan, contact_id)
    assert second != first
    closed = assert_problem(await client.post(first, json={"decision": "accept"}), 410)
    assert closed["reason"] == "replaced"
    accepted = await client.post(second, json={"decision": "accept"})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "given"


async def test_asking_again_while_the_request_is_open_or_answered_yes_is_409(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    pending, _ = await add_support(client, plan, "Jo", consent=None)
    given, _ = await add_support(client, plan, "Lee", consent="accept")
    for contact_id, rule in ((pending, "consent_request_open"), (given, "consent_given")):
        refused = await client.post(
            f"/v1/plans/{plan.plan_id}/supports/{contact_id}/consent-requests",
            headers=plan.first.auth,
        )
        assert assert_problem(refused, 409)["rule"] == rule


async def test_an_expired_consent_link_decides_nothing_but_can_still_withdraw(
    settings: Settings,
) -> None:
    brief = msgspec.structs.replace(settings, consent_link_seconds=1)
    async with app_client(brief) as client:
        plan = await couple(client)
        _, unanswered = await add_support(client, plan, "Jo", consent=None)
        _, accepted = await add_support(client, plan, "Lee", consent="accept")

        async def expired() -> bool:
            return (await client.get(unanswered)).json()["open"] is False

        await eventually(expired, timeout=5)
        for decision in ("accept", "decline"):
            closed = await client.post(unanswered, json={"decision": decision})
            assert assert_problem(closed, 410)["reason"] == "expired"
        withdrawn = await client.post(accepted + "/withdraw")
        assert withdrawn.status_code == 200, withdrawn.text


@pytest.mark.parametrize(
    ("kind", "address"),
    [
        ("email", "call me maybe"),
        ("email", "jo@localhost"),
        ("sms", "call me maybe"),
        ("sms", "555-0100"),
        ("webhook", "ftp://hooks.example.org/jo"),
        ("webhook", "http://127.0.0.1:9/hook"),
    ],
)
async def test_an_address_that_cannot_reach_anyone_is_refused_when_saved(
    client: AsyncTestClient[Any], kind: str, address: str
) -> None:
    plan = await couple(client)
    channels = [{"kind": "email", "address": "jo@example.org"}, {"kind": kind, "address": address}]
    answer = await client.post(
        f"/v1/plans/{plan.plan_id}/supports",
        json={"display_name": "Jo", "relationship": "sponsor", "channels": channels},
        headers=plan.first.auth,
    )
    problem = assert_problem(answer, 422)
    assert problem["field"] == "channels"
    mine = await client.put(
        "/v1/participants/me/channels", json={"channels": channels}, headers=plan.first.auth
    )
    assert assert_problem(mine, 422)["field"] == "channels"


async def test_a_phone_number_is_saved_in_international_form(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    channels = [{"kind": "sms", "address": " +1 (555) 010-0199 "}]
    answer = await client.post(
        f"/v1/plans/{plan.plan_id}/supports",
        json={"display_name": "Jo", "relationship": "sponsor", "channels": channels},
        headers=plan.first.auth,
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["channels"] == [{"kind": "sms", "address": "+15550100199"}]


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
