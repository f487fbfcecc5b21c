"""Answers to an alert: the acknowledgement note, and the all-clear when it is over.

An acknowledgement tells the activating partner who is on it. Resolving, or calling it a
false alarm, sends an all-clear on exactly the channels an alert went out on, including an
alert that was still on the wire when the activation was resolved.
"""

from typing import Any
from uuid import UUID

import pytest

from tests.e2e.conftest import PUBLIC_URL, Stack
from tests.e2e.test_alerts import mails_to, of_type, support
from tests.support.api import Couple, activate, couple
from tests.support.database import value_of
from tests.support.eventually import eventually
from tests.support.processes import ACTIVATION_STATUS

pytestmark = pytest.mark.integration


def to(stack: Stack, kind: str, name: str) -> list[Any]:
    return [r for r in of_type(stack, kind) if r.target.endswith(f"/{name}")]


async def partner_webhook(stack: Stack, plan: Couple) -> None:
    """Alex, the partner who activates, hears back on a webhook of their own."""
    answer = await stack.client.put(
        "/v1/participants/me/channels",
        json={"channels": [{"kind": "webhook", "address": f"{stack.webhooks.url}/alex"}]},
        headers=plan.first.auth,
    )
    assert answer.status_code == 200, answer.text


async def resolve(stack: Stack, plan: Couple, activation_id: str, outcome: str) -> None:
    answer = await stack.client.post(
        f"/v1/plans/{plan.plan_id}/activations/{activation_id}/resolve",
        json={"outcome": outcome},
        headers=plan.first.auth,
    )
    assert answer.status_code == 200, answer.text


async def notifier_status(stack: Stack, activation_id: str) -> str | None:
    status: str | None = await value_of(stack.db_url, ACTIVATION_STATUS, UUID(activation_id))
    return status


async def test_an_acknowledgement_tells_the_activating_partner_who_is_on_it(
    stack: Stack,
) -> None:
    plan = await couple(stack.client)
    await partner_webhook(stack, plan)
    await support(stack, plan, "Jo")
    await activate(stack.client, plan, "crisis")
    await eventually(lambda: len(to(stack, "tandem.alert", "jo")) == 1, timeout=15)

    [alert] = to(stack, "tandem.alert", "jo")
    acked = await stack.client.post(alert.json()["ack_url"].removeprefix(PUBLIC_URL))
    assert acked.status_code == 200, acked.text

    await eventually(lambda: len(to(stack, "tandem.ack_note", "alex")) == 1, timeout=15)
    [note] = to(stack, "tandem.ack_note", "alex")
    assert note.json()["acknowledged_by_name"] == "Jo"
    assert "Jo" in note.json()["text"]
    assert to(stack, "tandem.ack_note", "jo") == []  # only the partner who asked for help


@pytest.mark.parametrize("outcome", ["resolved", "false_alarm"])
async def test_an_ended_activation_sends_an_all_clear_on_each_channel_that_was_alerted(
    stack: Stack, outcome: str
) -> None:
    plan = await couple(stack.client)
    jo = (await support(stack, plan, "Jo"))["contact_id"]
    lee = (await support(stack, plan, "Lee"))["contact_id"]
    tiers = [  # Lee is in a second tier that is never reached, so never alerted
        {"contact_ids": [jo], "ack_timeout_seconds": 3600},
        {"contact_ids": [lee], "ack_timeout_seconds": 3600},
    ]
    answer = await stack.client.put(
        f"/v1/plans/{plan.plan_id}/escalation",
        json={"level": "crisis", "tiers": tiers},
        headers=plan.first.auth,
    )
    assert answer.status_code == 200, answer.text
    activation = (await activate(stack.client, plan, "crisis"))["activation_id"]
    await eventually(lambda: len(mails_to(stack, "jo@example.org")) == 2, timeout=15)
    await eventually(lambda: len(stack.sms.messages) >= 2, timeout=15)  # consents, alert

    await resolve(stack, plan, activation, outcome)

    await eventually(lambda: len(to(stack, "tandem.all_clear", "jo")) == 1, timeout=15)
    await eventually(lambda: len(mails_to(stack, "jo@example.org")) == 3, timeout=15)
    [all_clear] = to(stack, "tandem.all_clear", "jo")
    assert all_clear.json()["activation_id"] == activation
    assert to(stack, "tandem.alert", "lee") == []
    assert to(stack, "tandem.all_clear", "lee") == []  # never alerted, never all-cleared
    assert len(mails_to(stack, "lee@example.org")) == 1  # only Lee's consent request


async def test_an_alert_still_on_the_wire_when_resolved_gets_its_all_clear(stack: Stack) -> None:
    hooks = stack.webhooks
    plan = await couple(stack.client)
    await support(stack, plan, "Jo")
    await eventually(lambda: len(to(stack, "tandem.consent_request", "jo")) == 1, timeout=15)

    hooks.hold_after(0)  # Jo's webhook receives the alert but does not answer yet
    activation = (await activate(stack.client, plan, "crisis"))["activation_id"]
    await eventually(lambda: len(to(stack, "tandem.alert", "jo")) == 1, timeout=15)
    await resolve(stack, plan, activation, "resolved")

    async def resolution_handled() -> bool:  # its all-clears are claimed, this one is not
        return await notifier_status(stack, activation) == "resolved"

    await eventually(resolution_handled, timeout=15)
    await eventually(lambda: len(mails_to(stack, "jo@example.org")) == 3, timeout=15)
    assert to(stack, "tandem.all_clear", "jo") == []

    hooks.release()  # the alert is answered, so recorded as sent: it is owed an all-clear
    await eventually(lambda: len(to(stack, "tandem.all_clear", "jo")) == 1, timeout=15)
    assert len(to(stack, "tandem.alert", "jo")) == 1  # sent once: the lease was renewed
