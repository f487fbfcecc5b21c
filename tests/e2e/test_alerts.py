"""HTTP in, alert out: who is alerted, on which channels, once, signed."""

from typing import Any
from uuid import UUID

import pytest

from common.capabilities import webhook_secret
from notifier.channels.webhook import verify
from tests.e2e.conftest import SECRET, Stack
from tests.support.api import Couple, activate, consent_link_sent, couple
from tests.support.eventually import eventually

pytestmark = pytest.mark.integration


async def support(
    stack: Stack, plan: Couple, name: str = "Jo", decision: str | None = "accept"
) -> dict[str, Any]:
    """A support contact with a webhook, an e-mail address and a phone."""
    answer = await stack.client.post(
        f"/v1/plans/{plan.plan_id}/supports",
        json={
            "display_name": name,
            "relationship": "sponsor",
            "channels": [
                {"kind": "webhook", "address": f"{stack.webhooks.url}/{name.lower()}"},
                {"kind": "email", "address": f"{name.lower()}@example.org"},
                {"kind": "sms", "address": "+15550100"},
            ],
        },
        headers=plan.first.auth,
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    # The consent link is not in the partner's answer: it came in the contact's own message.
    body["consent_path"] = await consent_link_sent(stack.webhooks, body["contact_id"])
    if decision is not None:
        decided = await stack.client.post(body["consent_path"], json={"decision": decision})
        assert decided.status_code == 200, decided.text
    return body


def of_type(stack: Stack, kind: str) -> list[Any]:
    return [r for r in stack.webhooks.requests if r.json().get("type") == kind]


def mails_to(stack: Stack, address: str) -> list[Any]:
    return [m for m in stack.smtp.messages if address in m.rcpt_tos]


async def test_an_activation_alerts_a_consented_contact_once_on_each_channel(
    stack: Stack,
) -> None:
    plan = await couple(stack.client)
    jo = await support(stack, plan)
    activation = await activate(stack.client, plan, "crisis")

    def delivered() -> bool:  # a consent request and an alert on e-mail and SMS
        return (
            len(of_type(stack, "tandem.alert")) == 1
            and len(mails_to(stack, "jo@example.org")) == 2
            and len(stack.sms.messages) == 2
        )

    await eventually(delivered, timeout=15)
    [request] = of_type(stack, "tandem.alert")
    alert = request.json()
    assert alert["activation_id"] == activation["activation_id"]
    assert alert["ack_url"].startswith("http://tandem.test/v1/acks/")
    url = f"{stack.webhooks.url}/jo"
    secret = webhook_secret(SECRET, UUID(jo["contact_id"]), url)
    verify(secret, request.headers, request.body)
    [shown] = [c["signing_secret"] for c in jo["channels"] if c["kind"] == "webhook"]
    assert shown == secret
    ids = [m.message_id for m in mails_to(stack, "jo@example.org")]
    assert len(set(ids)) == 2  # the consent request and the alert, each its own key


async def test_contacts_who_declined_withdrew_or_never_answered_are_never_alerted(
    stack: Stack,
) -> None:
    plan = await couple(stack.client)
    await support(stack, plan, "Lee", decision="decline")
    await support(stack, plan, "Max", decision=None)
    ria = await support(stack, plan, "Ria")
    assert (await stack.client.post(ria["consent_path"] + "/withdraw")).status_code == 200
    await support(stack, plan, "Jo")
    await activate(stack.client, plan, "crisis")
    await eventually(lambda: len(of_type(stack, "tandem.alert")) == 1, timeout=15)
    [alert] = of_type(stack, "tandem.alert")
    assert alert.target.endswith("/jo")
    await eventually(lambda: len(mails_to(stack, "jo@example.org")) == 2, timeout=15)
    for name in ("lee", "max", "ria"):  # their consent request, and nothing more
        assert len(mails_to(stack, f"{name}@example.org")) == 1


async def test_the_activation_shows_each_delivery_back_on_the_plan(stack: Stack) -> None:
    plan = await couple(stack.client)
    await support(stack, plan)
    activation = await activate(stack.client, plan, "crisis")
    path = f"/v1/plans/{plan.plan_id}/activations/{activation['activation_id']}"

    async def recorded() -> bool:
        view = (await stack.client.get(path, headers=plan.first.auth)).json()
        [jo] = [r for r in view["recipients"] if r["display_name"] == "Jo"]
        return {(d["channel"], d["status"]) for d in jo["deliveries"]} == {
            ("webhook", "sent"),
            ("email", "sent"),
            ("sms", "sent"),
        }

    await eventually(recorded, timeout=20)
