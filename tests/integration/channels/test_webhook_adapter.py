"""Webhooks against a loopback receiver: signatures, retries, refusals and timeouts."""

import base64
import secrets
from typing import Any
from uuid import UUID

import pytest

from contracts.vocabulary import ChannelKind
from notifier.channels.base import DeliveryOutcome, OutboundMessage
from notifier.channels.retry import RetryPolicy
from notifier.channels.webhook import WebhookAdapter, verify
from tests.support.receivers import Reply, WebhookReceiver

pytestmark = pytest.mark.integration

DELIVERY = UUID("0190b6b2-9f6e-7c3a-8d41-1f2e3d4c5b6a")
SECRET = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
PAYLOAD: dict[str, Any] = {"type": "activation.alert", "plan_id": "p-1", "sequence": 1}
FAST = RetryPolicy(max_attempts=4, base_delay=0.001, max_delay=0.005, deadline=5.0)


def to(url: str, secret: str | None = SECRET) -> OutboundMessage:
    return OutboundMessage(
        delivery_id=DELIVERY,
        channel=ChannelKind.WEBHOOK,
        address=url,
        subject="Alex asked for help",
        text="Alex needs you.",
        payload=PAYLOAD,
        webhook_secret=secret,
    )


class RecordedSleeps:
    """Stands in for asyncio.sleep so a Retry-After test does not really wait."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


async def test_a_webhook_arrives_once_with_a_signature_that_verifies() -> None:
    async with (
        WebhookReceiver() as hook,
        WebhookAdapter(allow_private=True, policy=FAST) as adapter,
    ):
        outcome = await adapter.send(to(hook.url))

    assert outcome == DeliveryOutcome(sent=True, permanent=False, reason=None, attempts=1)
    [request] = hook.requests
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-id"] == str(DELIVERY)
    assert verify(SECRET, request.headers, request.body)
    assert request.json() == PAYLOAD


async def test_server_errors_are_retried_with_the_same_webhook_id_until_accepted() -> None:
    async with (
        WebhookReceiver([500, 500, 500, 200]) as hook,
        WebhookAdapter(allow_private=True, policy=FAST) as adapter,
    ):
        outcome = await adapter.send(to(hook.url))

    assert (outcome.sent, outcome.attempts) == (True, 4)
    assert {request.headers["webhook-id"] for request in hook.requests} == {str(DELIVERY)}
    assert all(verify(SECRET, request.headers, request.body) for request in hook.requests)


async def test_a_receiver_that_keeps_failing_is_a_transient_failure_once_retries_run_out() -> None:
    async with (
        WebhookReceiver([500]) as hook,
        WebhookAdapter(allow_private=True, policy=FAST) as adapter,
    ):
        outcome = await adapter.send(to(hook.url))

    assert outcome == DeliveryOutcome(sent=False, permanent=False, reason="http 500", attempts=4)
    assert len(hook.requests) == 4


async def test_a_404_is_a_permanent_failure_after_one_attempt() -> None:
    async with (
        WebhookReceiver([404]) as hook,
        WebhookAdapter(allow_private=True, policy=FAST) as adapter,
    ):
        outcome = await adapter.send(to(hook.url))

    assert outcome == DeliveryOutcome(sent=False, permanent=True, reason="http 404", attempts=1)
    assert len(hook.requests) == 1


async def test_redirects_are_not_followed() -> None:
    metadata = Reply(302, {"location": "http://169.254.169.254/latest/meta-data/"})
    async with (
        WebhookReceiver([metadata]) as hook,
        WebhookAdapter(allow_private=True, policy=FAST) as adapter,
    ):
        outcome = await adapter.send(to(hook.url))

    assert (outcome.permanent, outcome.reason, outcome.attempts) == (True, "http 302", 1)


async def test_a_429_retry_after_is_waited_before_the_next_try() -> None:
    sleeps = RecordedSleeps()
    policy = RetryPolicy(max_attempts=3, base_delay=0.001, deadline=60.0, sleep=sleeps)
    async with (
        WebhookReceiver([Reply(429, {"Retry-After": "7"}), 200]) as hook,
        WebhookAdapter(allow_private=True, policy=policy) as adapter,
    ):
        outcome = await adapter.send(to(hook.url))

    assert (outcome.sent, outcome.attempts) == (True, 2)
    assert sleeps.waits == [7.0]


async def test_a_retry_after_beyond_the_deadline_is_handed_back_to_the_caller() -> None:
    async with (
        WebhookReceiver([Reply(429, {"Retry-After": "120"})]) as hook,
        WebhookAdapter(allow_private=True, policy=FAST) as adapter,
    ):
        outcome = await adapter.send(to(hook.url))

    assert outcome == DeliveryOutcome(
        sent=False, permanent=False, reason="http 429", attempts=1, retry_after=120.0
    )
    assert len(hook.requests) == 1


async def test_a_receiver_that_hangs_times_out() -> None:
    policy = RetryPolicy(max_attempts=2, base_delay=0.001, deadline=5.0)
    async with (
        WebhookReceiver([Reply(hang=True)]) as hook,
        WebhookAdapter(allow_private=True, policy=policy, timeout=0.2) as adapter,
    ):
        outcome = await adapter.send(to(hook.url))

    assert outcome == DeliveryOutcome(sent=False, permanent=False, reason="timeout", attempts=2)
    assert len(hook.requests) == 2


async def test_a_closed_port_is_a_transient_connection_error() -> None:
    async with WebhookReceiver() as hook:
        url = hook.url  # free while the receiver ran, closed once it stops
    async with WebhookAdapter(allow_private=True, policy=FAST) as adapter:
        outcome = await adapter.send(to(url))

    assert (outcome.sent, outcome.permanent, outcome.reason) == (False, False, "connection error")


async def test_a_loopback_webhook_is_refused_unless_private_addresses_are_allowed() -> None:
    async with (
        WebhookReceiver() as hook,
        WebhookAdapter(allow_private=False, policy=FAST) as adapter,
    ):
        outcome = await adapter.send(to(hook.url))
        localhost = await adapter.send(to(hook.url.replace("127.0.0.1", "localhost")))

    assert outcome == DeliveryOutcome(
        sent=False, permanent=True, reason="address not allowed", attempts=1
    )
    assert localhost.reason == "address not allowed"
    assert hook.requests == []


async def test_plain_http_goes_to_the_address_that_was_checked_under_the_original_host() -> None:
    async def resolve(host: str, port: int) -> list[str]:
        assert host == "hooks.tandem.test"  # a name no real resolver knows
        return ["127.0.0.1"]

    async with WebhookReceiver() as hook:
        port = hook.url.split(":")[2].split("/")[0]
        async with WebhookAdapter(allow_private=True, policy=FAST, resolve=resolve) as adapter:
            outcome = await adapter.send(to(f"http://hooks.tandem.test:{port}/hook"))

    assert outcome.sent
    assert hook.requests[0].headers["host"] == f"hooks.tandem.test:{port}"


async def test_a_channel_without_a_secret_is_sent_unsigned() -> None:
    async with (
        WebhookReceiver() as hook,
        WebhookAdapter(allow_private=True, policy=FAST) as adapter,
    ):
        outcome = await adapter.send(to(hook.url, secret=None))

    assert outcome.sent
    assert "webhook-signature" not in hook.requests[0].headers
    assert hook.requests[0].headers["webhook-id"] == str(DELIVERY)


async def test_a_malformed_secret_is_refused_before_anything_is_sent() -> None:
    async with (
        WebhookReceiver() as hook,
        WebhookAdapter(allow_private=True, policy=FAST) as adapter,
    ):
        outcome = await adapter.send(to(hook.url, secret="whsec_???"))

    assert outcome == DeliveryOutcome(
        sent=False, permanent=True, reason="invalid webhook secret", attempts=0
    )
    assert hook.requests == []
