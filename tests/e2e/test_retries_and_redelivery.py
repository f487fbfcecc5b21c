"""Failing receivers are retried or recorded as failed; a redelivered event sends nothing new."""

import asyncio
from typing import Any

import nats
import pytest

from contracts.subjects import PLAN_STREAM
from tests.e2e.conftest import Stack
from tests.e2e.test_alerts import mails_to, of_type, support
from tests.support.api import activate, couple
from tests.support.database import value_of
from tests.support.eventually import eventually

pytestmark = pytest.mark.integration


async def test_a_webhook_that_fails_three_times_then_answers_is_delivered(stack: Stack) -> None:
    plan = await couple(stack.client)
    await support(stack, plan)
    await eventually(lambda: len(of_type(stack, "tandem.consent_request")) == 1, timeout=15)
    stack.webhooks.script(500, 500, 500, 200)
    await activate(stack.client, plan, "crisis")
    await eventually(lambda: len(of_type(stack, "tandem.alert")) == 4, timeout=15)
    ids = {r.headers["webhook-id"] for r in of_type(stack, "tandem.alert")}
    assert len(ids) == 1  # one delivery, retried under one id


async def test_a_send_that_outlasts_its_lease_is_not_sent_a_second_time(stack: Stack) -> None:
    plan = await couple(stack.client)
    await support(stack, plan)
    await eventually(lambda: len(of_type(stack, "tandem.consent_request")) == 1, timeout=15)
    lease = stack.notifier_settings.lease_seconds
    stack.webhooks.hold_after(0)
    await activate(stack.client, plan, "crisis")
    await eventually(lambda: len(of_type(stack, "tandem.alert")) == 1, timeout=15)
    await asyncio.sleep(lease * 1.2)  # the receiver is slower than the lease (not its timeout)
    # New work wakes the worker, which leases every claim free by then: had the alert's
    # lease lapsed, it would be sent again now.
    await support(stack, plan, "Lee")
    await eventually(lambda: len(of_type(stack, "tandem.consent_request")) == 2, timeout=15)
    stack.webhooks.release()

    async def recorded_sent() -> bool:
        return await alert_status(stack) == "sent"

    await eventually(recorded_sent, timeout=15)
    assert len(of_type(stack, "tandem.alert")) == 1  # its lease was renewed while it was sent


async def alert_status(stack: Stack) -> str | None:
    status: str | None = await value_of(
        stack.db_url,
        "SELECT status FROM notifier.deliveries WHERE message = 'alert' AND channel_kind = 'webhook'",
    )
    return status


async def test_a_webhook_that_always_fails_is_recorded_as_failed_on_the_activation(
    stack: Stack,
) -> None:
    plan = await couple(stack.client)
    await support(stack, plan)
    await eventually(lambda: len(of_type(stack, "tandem.consent_request")) == 1, timeout=15)
    stack.webhooks.script(500)
    activation = await activate(stack.client, plan, "crisis")
    path = f"/v1/plans/{plan.plan_id}/activations/{activation['activation_id']}"

    async def failed_is_shown() -> bool:
        view = (await stack.client.get(path, headers=plan.first.auth)).json()
        [jo] = [r for r in view["recipients"] if r["display_name"] == "Jo"]
        hooks = [d for d in jo["deliveries"] if d["channel"] == "webhook"]
        return bool(hooks) and hooks[0]["status"] == "failed" and hooks[0]["reason"] == "http 500"

    await eventually(failed_is_shown, timeout=20)


async def test_a_delivery_failing_for_a_while_is_shown_failed_then_sent_when_it_goes_through(
    stack: Stack,
) -> None:
    plan = await couple(stack.client)
    await support(stack, plan)
    await eventually(lambda: len(of_type(stack, "tandem.consent_request")) == 1, timeout=15)
    # Rounds of three tries, 1, 2 and 4 s apart: the fourth round goes through, after the
    # delivery has failed for longer than it may (2 s here) before it counts as failed.
    stack.webhooks.script(*[503] * 9, 200)
    activation = await activate(stack.client, plan, "crisis")
    path = f"/v1/plans/{plan.plan_id}/activations/{activation['activation_id']}"

    async def failed_then_sent() -> bool:
        view = (await stack.client.get(path, headers=plan.first.auth)).json()
        [jo] = [r for r in view["recipients"] if r["display_name"] == "Jo"]
        hooks = [(d["status"], d["reason"]) for d in jo["deliveries"] if d["channel"] == "webhook"]
        return hooks == [("failed", "http 503"), ("sent", None)]

    await eventually(failed_then_sent, timeout=30)
    alerts = of_type(stack, "tandem.alert")
    assert len(alerts) == 10
    assert len({r.headers["webhook-id"] for r in alerts}) == 1  # one delivery, every round


async def test_an_alert_still_retried_stops_once_its_activation_is_resolved(stack: Stack) -> None:
    plan = await couple(stack.client)
    await support(stack, plan)
    await eventually(lambda: len(of_type(stack, "tandem.consent_request")) == 1, timeout=15)
    stack.webhooks.script(503)
    activation = await activate(stack.client, plan, "crisis")
    await eventually(lambda: len(of_type(stack, "tandem.alert")) > 3, timeout=15)  # round two

    resolved = await stack.client.post(
        f"/v1/plans/{plan.plan_id}/activations/{activation['activation_id']}/resolve",
        json={"outcome": "resolved"},
        headers=plan.first.auth,
    )
    assert resolved.status_code == 200, resolved.text

    async def skipped() -> bool:
        return await alert_status(stack) == "skipped"

    await eventually(skipped, timeout=20)
    tried = len(of_type(stack, "tandem.alert"))
    stack.webhooks.script(200)
    # Jo's e-mail alert went out, so Jo's e-mail gets the all-clear; the webhook alert never
    # did, so the webhook is owed none, and is never tried again.
    await eventually(
        lambda: any(m.subject == "All clear" for m in mails_to(stack, "jo@example.org")),
        timeout=15,
    )
    assert of_type(stack, "tandem.all_clear") == []
    assert len(of_type(stack, "tandem.alert")) == tried


async def test_the_same_event_delivered_twice_sends_once(stack: Stack) -> None:
    plan = await couple(stack.client)
    await support(stack, plan)
    await activate(stack.client, plan, "crisis")
    await eventually(lambda: len(of_type(stack, "tandem.alert")) == 1, timeout=15)
    # Publish the stored activation event again under a new message id, so JetStream's
    # duplicate window lets it through: the notifier sees it a second time.
    connection = await nats.connect(stack.nats_url)
    try:
        js = connection.jetstream()
        stored = await _last_activation(js)
        await js.publish(stored.subject, stored.data, headers={"Nats-Msg-Id": "replayed"})
    finally:
        await connection.close()
    await eventually(lambda: _consumed_everything(stack), timeout=15)
    assert len(of_type(stack, "tandem.alert")) == 1


async def _last_activation(js: Any) -> Any:
    info = await js.stream_info(PLAN_STREAM)
    for sequence in range(info.state.last_seq, 0, -1):
        message = await js.get_msg(PLAN_STREAM, sequence)
        if message.subject.endswith(".activated"):
            return message
    raise AssertionError("no activation in the stream")


async def _consumed_everything(stack: Stack) -> bool:
    connection = await nats.connect(stack.nats_url)
    try:
        info = await connection.jetstream().consumer_info(PLAN_STREAM, "notifier")
    finally:
        await connection.close()
    return bool(info.num_pending == 0 and info.num_ack_pending == 0)
