"""A person's command never conflicts with what the system reports, while alerts flow.

The notifier's delivery reports and escalations go on each activation's own delivery
stream, so the plan's stream has one writer per plan here: its partner. One client
activating and resolving 1,000 times in a row, and 16 clients on 16 plans at once, each
waiting for every alert to reach the contact's webhook (its report on its way back)
before resolving, get no 409, and the planner retries no append of theirs at all.
"""

import asyncio
from collections import Counter
from functools import partial
from typing import Any

import asyncpg
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.conftest import Stack
from tests.support.api import Couple, couple, webhook_contact
from tests.support.eventually import eventually

pytestmark = pytest.mark.integration

CYCLES_ALONE = 1000
CLIENTS = 16
CYCLES_EACH = 50
DELIVERY_EVENTS = ("plan.alert_delivery_recorded", "plan.activation_escalated")


async def conflicts_so_far(stack: Stack) -> dict[str, float]:
    """The planner's version conflicts by outcome (retried, precondition_failed, gave_up)."""
    text = (await stack.client.get("/metrics")).text
    return {
        sample.labels["outcome"]: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "tandem_version_conflicts_total"
    }


class Alerts:
    """The contact's webhook, read from where the last look ended."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.seen = 0
        self.alerted: set[str] = set()

    def arrived(self, activation_id: str) -> bool:
        requests = self.stack.webhooks.requests
        for request in requests[self.seen :]:
            body = request.json()
            if body.get("type") == "tandem.alert":
                self.alerted.add(body["activation_id"])
        self.seen = len(requests)
        return activation_id in self.alerted


async def cycles(stack: Stack, plan: Couple, alerts: Alerts, count: int) -> Counter[int]:
    """Activate, wait for the alert to reach the contact, resolve: ``count`` times."""
    statuses: Counter[int] = Counter()
    base = f"/v1/plans/{plan.plan_id}/activations"
    for _ in range(count):
        activated = await stack.client.post(
            base, json={"level": "setback"}, headers=plan.first.auth
        )
        statuses[activated.status_code] += 1
        if activated.status_code != 201:
            continue
        activation_id = activated.json()["activation_id"]
        await eventually(partial(alerts.arrived, activation_id), timeout=30, interval=0.005)
        resolved = await stack.client.post(
            f"{base}/{activation_id}/resolve",
            json={"outcome": "resolved"},
            headers=plan.first.auth,
        )
        statuses[resolved.status_code] += 1
    return statuses


async def plan_with_a_contact(stack: Stack, name: str) -> Couple:
    plan = await couple(stack.client)
    await webhook_contact(stack.client, plan, stack.webhooks, name=name, path=f"/{name}")
    return plan


async def reports_on(stack: Stack, plan: Couple) -> dict[str, Any]:
    """Delivery events on the plan's own stream, and on its activations' streams."""
    conn = await asyncpg.connect(stack.db_url)
    try:
        row = await conn.fetchrow(
            """
            SELECT count(*) FILTER (WHERE stream_id = $1) AS on_the_plan,
                   count(*) FILTER (WHERE stream_id <> $1) AS on_delivery_streams
            FROM events WHERE event_type = ANY($2::text[])
              AND (stream_id = $1 OR payload->>'plan_id' = $1::text)
              AND payload->>'activation_id' IS NOT NULL  -- not the consent request's
            """,
            plan.plan_id,
            list(DELIVERY_EVENTS),
        )
    finally:
        await conn.close()
    return dict(row)


async def test_one_partner_activating_and_resolving_1000_times_never_meets_a_conflict(
    stack: Stack,
) -> None:
    plan = await plan_with_a_contact(stack, "jo")
    alerts = Alerts(stack)
    before = await conflicts_so_far(stack)

    statuses = await cycles(stack, plan, alerts, CYCLES_ALONE)

    assert statuses == Counter({201: CYCLES_ALONE, 200: CYCLES_ALONE})
    assert await conflicts_so_far(stack) == before  # not one append of theirs was retried
    assert len(alerts.alerted) == CYCLES_ALONE

    async def reported() -> None:  # the alert and the all-clear of every cycle came back
        counts = await reports_on(stack, plan)
        assert counts == {"on_the_plan": 0, "on_delivery_streams": 2 * CYCLES_ALONE}

    await eventually(reported, timeout=60, interval=0.5)


async def test_16_partners_on_16_plans_at_once_never_meet_a_conflict(stack: Stack) -> None:
    plans = [await plan_with_a_contact(stack, f"c{n}") for n in range(CLIENTS)]
    alerts = Alerts(stack)
    before = await conflicts_so_far(stack)

    results = await asyncio.gather(*(cycles(stack, plan, alerts, CYCLES_EACH) for plan in plans))

    assert sum(results, Counter()) == Counter(
        {201: CLIENTS * CYCLES_EACH, 200: CLIENTS * CYCLES_EACH}
    )
    assert await conflicts_so_far(stack) == before
    assert len(alerts.alerted) == CLIENTS * CYCLES_EACH
