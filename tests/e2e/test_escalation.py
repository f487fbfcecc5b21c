"""Nobody answered in time: the next tier is alerted. An acknowledgement stops it."""

from uuid import UUID

import pytest

from tests.e2e.conftest import Stack
from tests.e2e.test_alerts import of_type, support
from tests.support.api import Couple, activate, couple, webhook_contact
from tests.support.database import value_of
from tests.support.eventually import eventually

pytestmark = pytest.mark.integration


async def two_tiers(stack: Stack, timeout_seconds: int) -> tuple[Couple, str, str]:
    """Sam (partner) and Jo in tier 1, Lee in tier 2, for crisis activations."""
    plan = await couple(stack.client)
    jo = (await support(stack, plan, "Jo"))["contact_id"]
    lee = (await support(stack, plan, "Lee"))["contact_id"]
    answer = await stack.client.put(
        f"/v1/plans/{plan.plan_id}/escalation",
        json={
            "level": "crisis",
            "tiers": [
                {"contact_ids": [jo], "ack_timeout_seconds": timeout_seconds},
                {"contact_ids": [lee], "ack_timeout_seconds": 60},
            ],
        },
        headers=plan.first.auth,
    )
    assert answer.status_code == 200, answer.text
    return plan, jo, lee


def alerted(stack: Stack, name: str) -> list[object]:
    return [r for r in of_type(stack, "tandem.alert") if r.target.endswith(f"/{name}")]


async def test_nobody_answering_in_time_alerts_the_next_tier(stack: Stack) -> None:
    plan, _, _ = await two_tiers(stack, timeout_seconds=1)
    activation = await activate(stack.client, plan, "crisis")
    await eventually(lambda: len(alerted(stack, "jo")) == 1, timeout=15)
    await eventually(lambda: len(alerted(stack, "lee")) == 1, timeout=15)
    path = f"/v1/plans/{plan.plan_id}/activations/{activation['activation_id']}"

    async def escalation_recorded() -> bool:
        view = (await stack.client.get(path, headers=plan.first.auth)).json()
        return bool(view["escalated_tiers"] == [2])

    await eventually(escalation_recorded, timeout=15)


async def test_an_acknowledgement_before_the_timeout_prevents_escalation(stack: Stack) -> None:
    plan, _, _ = await two_tiers(stack, timeout_seconds=3)
    activation = await activate(stack.client, plan, "crisis")
    await eventually(lambda: len(alerted(stack, "jo")) == 1, timeout=15)
    path = f"/v1/plans/{plan.plan_id}/activations/{activation['activation_id']}"
    acked = await stack.client.post(path + "/acknowledge", headers=plan.second.auth)
    assert acked.status_code == 200

    async def timer_cancelled() -> bool:
        status = await value_of(
            stack.db_url,
            "SELECT status FROM notifier.timers WHERE activation_id = $1 AND tier = 1",
            UUID(activation["activation_id"]),
        )
        return bool(status == "cancelled")

    # A cancelled timer never fires: nothing is left that could alert tier 2.
    await eventually(timer_cancelled, timeout=15)
    assert alerted(stack, "lee") == []
    view = (await stack.client.get(path, headers=plan.first.auth)).json()
    assert view["escalated_tiers"] == []


async def webhook_only(stack: Stack, plan: Couple, name: str) -> str:
    return await webhook_contact(stack.client, plan, stack.webhooks, name, path=f"/{name.lower()}")


async def test_a_tier_whose_every_channel_failed_for_good_escalates_without_waiting(
    stack: Stack,
) -> None:
    plan = await couple(stack.client)
    jo, lee = await webhook_only(stack, plan, "Jo"), await webhook_only(stack, plan, "Lee")
    tiers = [
        {"contact_ids": [jo], "ack_timeout_seconds": 3600},  # an hour: too long to wait for
        {"contact_ids": [lee], "ack_timeout_seconds": 3600},
    ]
    answer = await stack.client.put(
        f"/v1/plans/{plan.plan_id}/escalation",
        json={"level": "crisis", "tiers": tiers},
        headers=plan.first.auth,
    )
    assert answer.status_code == 200
    await eventually(lambda: len(of_type(stack, "tandem.consent_request")) == 2, timeout=15)
    stack.webhooks.script(404, 200)  # Jo's alert fails for good; what follows succeeds
    await activate(stack.client, plan, "crisis")
    await eventually(lambda: len(alerted(stack, "lee")) == 1, timeout=15)
    assert len(alerted(stack, "jo")) == 1  # tried once: a 404 is not retried


async def test_when_the_last_tier_runs_out_the_activating_partner_hears_nobody_answered(
    stack: Stack,
) -> None:
    plan = await couple(stack.client)
    await stack.client.put(
        "/v1/participants/me/channels",
        json={"channels": [{"kind": "webhook", "address": f"{stack.webhooks.url}/alex"}]},
        headers=plan.first.auth,
    )
    jo = await webhook_only(stack, plan, "Jo")
    answer = await stack.client.put(
        f"/v1/plans/{plan.plan_id}/escalation",
        json={"level": "crisis", "tiers": [{"contact_ids": [jo], "ack_timeout_seconds": 1}]},
        headers=plan.first.auth,
    )
    assert answer.status_code == 200
    await activate(stack.client, plan, "crisis")
    await eventually(lambda: len(of_type(stack, "tandem.no_answer")) == 1, timeout=15)
    [note] = of_type(stack, "tandem.no_answer")
    assert note.target.endswith("/alex")
    assert "988" in note.json()["text"]
