"""Observability end to end: the notifier's /readyz and /metrics, one correlation id from the
HTTP request to each delivery, and logs that never carry a name, a note or an address."""

import json
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from uuid_utils.compat import uuid7

from contracts.delivery_events import AlertDeliveryRecorded
from contracts.vocabulary import MessageKind
from planner.store import event_store
from tests.e2e.conftest import PUBLIC_URL, Stack
from tests.support.api import Couple, Person, consent_link_sent, create_plan
from tests.support.eventually import eventually
from tests.support.log_capture import captured_logs

pytestmark = pytest.mark.integration

# Distinctive, so that finding one anywhere in the logs cannot be a coincidence.
FIRST, SECOND, HELPER = "Quillon Marsh", "Tamsin Vale", "Orrin Fable"
TITLE, SIGN, NOTE = "Harborlight plan", "Pawnshop visits past midnight", "Found the old stash box"
EMAIL, PHONE, REFLECTION = "orrin.fable@example.org", "+15550142", "Talked it through at dawn"


def status_url(stack: Stack) -> str:
    assert stack.notifier is not None
    assert stack.notifier.status_url is not None
    return stack.notifier.status_url


def samples(text: str) -> dict[tuple[str, frozenset[Any]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def register(stack: Stack, name: str) -> Person:
    answer = await stack.client.post("/v1/participants", json={"display_name": name})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    return Person(participant_id=body["participant_id"], token=body["token"], name=name)


async def plan_with_a_support(stack: Stack) -> Couple:
    """Two partners and a consented support on webhook, e-mail and SMS; one warning sign."""
    first, second = await register(stack, FIRST), await register(stack, SECOND)
    plan_id = await create_plan(stack.client, first, TITLE)
    invite = await stack.client.post(f"/v1/plans/{plan_id}/partner-invites", headers=first.auth)
    code = invite.json()["invite_code"]
    joined = await stack.client.post(f"/v1/partner-invites/{code}/accept", headers=second.auth)
    assert joined.status_code == 200, joined.text
    plan = Couple(plan_id=plan_id, first=first, second=second)
    contact = await stack.client.post(
        f"/v1/plans/{plan_id}/supports",
        json={
            "display_name": HELPER,
            "relationship": "sponsor",
            "channels": [
                {"kind": "webhook", "address": f"{stack.webhooks.url}/orrin"},
                {"kind": "email", "address": EMAIL},
                {"kind": "sms", "address": PHONE},
            ],
        },
        headers=first.auth,
    )
    assert contact.status_code == 201, contact.text
    consent = await consent_link_sent(stack.webhooks, contact.json()["contact_id"])
    scope = {"levels": ["crisis"], "share_signs": True, "share_notes": True}
    accepted = await stack.client.post(consent, json={"decision": "accept", "scope": scope})
    assert accepted.status_code == 200, accepted.text
    return plan


async def activate(stack: Stack, plan: Couple, correlation_id: str) -> tuple[str, httpx.Response]:
    sign = await stack.client.post(
        f"/v1/plans/{plan.plan_id}/warning-signs",
        json={"category": "money", "description": SIGN},
        headers=plan.first.auth,
    )
    assert sign.status_code == 201, sign.text
    answer = await stack.client.post(
        f"/v1/plans/{plan.plan_id}/activations",
        json={"level": "crisis", "note": NOTE, "observed_sign_ids": [sign.json()["sign_id"]]},
        headers={**plan.first.auth, "X-Correlation-Id": correlation_id},
    )
    assert answer.status_code == 201, answer.text
    activation_id: str = answer.json()["activation_id"]
    return activation_id, answer


def of_type(stack: Stack, kind: str) -> list[Any]:
    return [r for r in stack.webhooks.requests if r.json().get("type") == kind]


def alerts(stack: Stack) -> list[Any]:
    return of_type(stack, "tandem.alert")


async def test_the_notifier_is_ready_and_counts_its_deliveries(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=status_url(stack)) as notifier:
        assert (await notifier.get("/healthz")).json() == {"status": "ok"}
        ready = await notifier.get("/readyz")
        assert ready.status_code == 200, ready.text
        body = ready.json()
        assert body["checks"] == {"database": "ok", "nats": "ok", "consumer": "ok", "loops": "ok"}
        assert body["consumer"]["name"] == stack.notifier_settings.consumer_name
        before = samples((await notifier.get("/metrics")).text)

        plan = await plan_with_a_support(stack)
        await activate(stack, plan, str(uuid7()))
        await eventually(lambda: len(alerts(stack)) == 1, timeout=15)

        labels = {"channel": "webhook", "message": "alert", "outcome": "sent"}
        sent = ("tandem_notifier_deliveries_total", frozenset(labels.items()))
        first = ("tandem_activation_to_first_delivery_seconds_count", frozenset())

        async def counted() -> bool:
            after = samples((await notifier.get("/metrics")).text)
            grew = {key: after.get(key, 0) - before.get(key, 0) for key in (sent, first)}
            return grew == {sent: 1, first: 1}

        await eventually(counted, timeout=15)

        # The backlog drains once the notifier has read what the activation produced.
        async def drained() -> bool:
            after = samples((await notifier.get("/metrics")).text)
            return after[("tandem_notifier_consumer_pending", frozenset())] == 0

        await eventually(drained, timeout=15)


async def test_one_correlation_id_follows_an_activation_to_each_delivery(stack: Stack) -> None:
    plan = await plan_with_a_support(stack)
    correlation_id = str(uuid7())
    with captured_logs() as logs:
        activation_id, answer = await activate(stack, plan, correlation_id)
        assert answer.headers["x-correlation-id"] == correlation_id

        def all_sent() -> bool:  # the other partner has no channel: three to the support
            sent = [line for line in logs.events("delivery.sent") if line["message"] == "alert"]
            return len(sent) == 3

        await eventually(all_sent, timeout=15)
    events = await stack.client.get(f"/v1/plans/{plan.plan_id}/events", headers=plan.first.auth)
    [activated] = [e for e in events.json()["events"] if e["type"] == "plan.activated"]
    assert activated["correlation_id"] == correlation_id
    alert_lines = [
        line
        for line in logs.events("delivery.sent")
        if line["activation_id"] == activation_id and line["message"] == "alert"
    ]
    assert {line["channel"] for line in alert_lines} == {"webhook", "email", "sms"}
    assert {line["correlation_id"] for line in alert_lines} == {correlation_id}

    async def recorded_under_it() -> bool:  # the notifier's reports come back with the id
        # on the activation's own delivery stream, never the plan's
        conn = await asyncpg.connect(stack.db_url)
        try:
            stream = await event_store.read_stream(conn, UUID(activation_id))
        finally:
            await conn.close()
        reports = [
            e
            for e in stream
            if isinstance(e.event, AlertDeliveryRecorded) and e.event.message is MessageKind.ALERT
        ]
        return len(reports) == 3 and {str(e.metadata.correlation_id) for e in reports} == {
            correlation_id
        }

    await eventually(recorded_under_it, timeout=20)


async def test_logs_of_a_whole_activation_carry_no_name_note_sign_or_address(
    stack: Stack,
) -> None:
    with captured_logs() as logs:
        plan = await plan_with_a_support(stack)
        activation_id, _ = await activate(stack, plan, str(uuid7()))
        await eventually(lambda: len(alerts(stack)) == 1, timeout=15)
        [alert] = alerts(stack)
        acked = await stack.client.post(alert.json()["ack_url"].removeprefix(PUBLIC_URL))
        assert acked.status_code == 200, acked.text
        resolved = await stack.client.post(
            f"/v1/plans/{plan.plan_id}/activations/{activation_id}/resolve",
            json={"outcome": "resolved", "reflection": REFLECTION},
            headers=plan.first.auth,
        )
        assert resolved.status_code == 200, resolved.text
        await eventually(lambda: bool(of_type(stack, "tandem.all_clear")), timeout=15)
    assert logs.events("delivery.sent"), "the flow was logged"
    ack_token = alert.json()["ack_url"].rsplit("/", 1)[1]
    secrets = [FIRST, SECOND, HELPER, TITLE, SIGN, NOTE, EMAIL, PHONE, REFLECTION]
    secrets += [plan.first.token, plan.second.token, stack.webhooks.url, ack_token]
    # The loopback SMTP server is the receiver's, not ours: it logs what it receives.
    text = "\n".join(json.dumps(line) for line in logs.lines() if line["logger"] != "mail.log")
    found = [secret for secret in secrets if secret in text]
    assert found == []
