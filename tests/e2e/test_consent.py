"""Consent only the contact can give (issue 14, finding 2), end to end.

A partner used to get the contact's consent link in the answer to adding them, and could
accept on the contact's behalf, with any scope; a declined or withdrawn consent could be
accepted again with the same link, and links never expired. Now the link goes only to the
contact's own channels; it takes one decision, expires, and a new request brings a new one.
"""

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from litestar.testing import AsyncTestClient

from planner.api.app import create_app
from planner.settings import Settings
from tests.e2e.conftest import PUBLIC_URL, SECRET, Stack
from tests.support.api import Couple, assert_problem, consent_link_sent, couple
from tests.support.eventually import eventually

pytestmark = pytest.mark.integration

PHONE = "+15550177"


async def add_jo(client: AsyncTestClient[Any], stack: Stack, plan: Couple) -> httpx.Response:
    """Jo, with a webhook, an e-mail address and a phone, added by the first partner."""
    answer = await client.post(
        f"/v1/plans/{plan.plan_id}/supports",
        json={
            "display_name": "Jo",
            "relationship": "employer",
            "channels": [
                {"kind": "webhook", "address": f"{stack.webhooks.url}/jo"},
                {"kind": "email", "address": "jo@example.org"},
                {"kind": "sms", "address": PHONE},
            ],
        },
        headers=plan.first.auth,
    )
    assert answer.status_code == 201, answer.text
    return answer


async def what_partners_read(stack: Stack, plan: Couple) -> list[str]:
    """Everything either partner can read about the plan."""
    texts = []
    for partner in (plan.first, plan.second):
        for path in (f"/v1/plans/{plan.plan_id}", f"/v1/plans/{plan.plan_id}/events?limit=500"):
            answer = await stack.client.get(path, headers=partner.auth)
            assert answer.status_code == 200, answer.text
            texts.append(answer.text)
    return texts


def ask_again(stack: Stack, plan: Couple, contact_id: str) -> Any:
    return stack.client.post(
        f"/v1/plans/{plan.plan_id}/supports/{contact_id}/consent-requests",
        headers=plan.second.auth,
    )


async def test_only_the_contact_gets_the_consent_link_and_only_they_can_say_yes(
    stack: Stack,
) -> None:
    plan = await couple(stack.client)
    added = await add_jo(stack.client, stack, plan)
    contact_id = added.json()["contact_id"]

    link = await consent_link_sent(stack.webhooks, contact_id)
    signature = link.rsplit(".", 1)[1]
    for text in [added.text, *await what_partners_read(stack, plan)]:
        assert "consent_url" not in text
        assert "/v1/consents/" not in text
        assert "/consent/" not in text
        assert signature not in text

    # The same link reached each of Jo's own channels, and nobody else: as its page, which
    # a person opens, in the e-mail and the SMS.
    page = "/consent/" + link.rsplit("/", 1)[1]

    def on_every_channel() -> bool:
        mails = [m for m in stack.smtp.messages if "jo@example.org" in m.rcpt_tos]
        texts = [s["body"] for s in stack.sms.messages if s["to"] == PHONE]
        return (
            len(mails) == 1 and len(texts) == 1 and all(page in t for t in [*texts, mails[0].body])
        )

    await eventually(on_every_channel, timeout=15)
    assert {r.target for r in stack.webhooks.requests} == {
        urlsplit(f"{stack.webhooks.url}/jo").path
    }
    assert {m.rcpt_tos for m in stack.smtp.messages} == {("jo@example.org",)}

    scope = {"levels": ["crisis"], "share_notes": False}
    accepted = await stack.client.post(link, json={"decision": "accept", "scope": scope})
    assert accepted.status_code == 200, accepted.text
    events = await stack.client.get(
        f"/v1/plans/{plan.plan_id}/events?limit=500", headers=plan.first.auth
    )
    [given] = [e for e in events.json()["events"] if e["type"] == "plan.consent_given"]
    [asked] = [e for e in events.json()["events"] if e["type"] == "plan.consent_requested"]
    assert given["actor"] == f"contact:{contact_id}"
    assert given["data"]["request_id"] == asked["data"]["request_id"]


async def test_a_consent_link_takes_one_decision_and_asking_again_brings_a_new_one(
    stack: Stack,
) -> None:
    plan = await couple(stack.client)
    contact_id = (await add_jo(stack.client, stack, plan)).json()["contact_id"]
    first = await consent_link_sent(stack.webhooks, contact_id)

    declined = await stack.client.post(first, json={"decision": "decline"})
    assert declined.status_code == 200, declined.text
    again = await stack.client.post(first, json={"decision": "accept"})
    refused = assert_problem(again, 409)
    assert refused["rule"] == "consent_request_decided"
    assert "final" in refused["detail"]

    asked = await ask_again(stack, plan, contact_id)
    assert asked.status_code == 201, asked.text
    assert "/v1/consents/" not in asked.text
    assert "/consent/" not in asked.text
    second = await consent_link_sent(stack.webhooks, contact_id, count=2)
    assert second != first
    closed = assert_problem(await stack.client.post(first, json={"decision": "accept"}), 410)
    assert closed["reason"] == "replaced"

    accepted = await stack.client.post(second, json={"decision": "accept"})
    assert accepted.status_code == 200, accepted.text
    assert (await stack.client.post(second + "/withdraw")).status_code == 200
    refused = assert_problem(await stack.client.post(second, json={"decision": "accept"}), 409)
    assert refused["rule"] == "consent_request_decided"
    view = (await stack.client.get(f"/v1/plans/{plan.plan_id}", headers=plan.first.auth)).json()
    assert [s["consent"] for s in view["supports"]] == ["withdrawn"]


async def test_an_expired_consent_link_is_refused(stack: Stack, tmp_path: Path) -> None:
    # A planner whose consent links last two seconds, beside the stack's own (which relays).
    brief = Settings(
        home=tmp_path / "brief",
        database_url=stack.db_url,
        nats_url=stack.nats_url,
        public_url=PUBLIC_URL,
        secret_key=SECRET,
        allow_private_webhooks=True,
        run_relay=False,
        consent_link_seconds=2,
    )
    async with AsyncTestClient(app=create_app(brief), base_url=PUBLIC_URL) as client:
        plan = await couple(client)
        contact_id = (await add_jo(client, stack, plan)).json()["contact_id"]
    link = await consent_link_sent(stack.webhooks, contact_id)

    async def expired() -> bool:
        view = (await stack.client.get(link)).json()
        return view["open"] is False and view["status"] == "pending"

    await eventually(expired, timeout=10)
    for decision in ("accept", "decline"):
        closed = assert_problem(await stack.client.post(link, json={"decision": decision}), 410)
        assert closed["reason"] == "expired"

    asked = await ask_again(stack, plan, contact_id)  # the stack's planner: 30 days
    assert asked.status_code == 201, asked.text
    fresh = await consent_link_sent(stack.webhooks, contact_id, count=2)
    accepted = await stack.client.post(fresh, json={"decision": "accept"})
    assert accepted.status_code == 200, accepted.text
