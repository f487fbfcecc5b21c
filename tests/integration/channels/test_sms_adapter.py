"""SMS against a loopback provider: the documented request, retries and refusals."""

from uuid import UUID

import pytest

from contracts.vocabulary import ChannelKind
from notifier.channels.base import DeliveryOutcome, OutboundMessage
from notifier.channels.retry import RetryPolicy
from notifier.channels.sms import SmsAdapter
from tests.support.receivers import SmsProvider

pytestmark = pytest.mark.integration

DELIVERY = UUID("0190b6b2-9f6e-7c3a-8d41-1f2e3d4c5b6b")
FAST = RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.005, deadline=5.0)
TOKEN = "sms-test-token"


def to(number: str) -> OutboundMessage:
    return OutboundMessage(
        delivery_id=DELIVERY,
        channel=ChannelKind.SMS,
        address=number,
        subject="Alex asked for help",
        text="Alex needs you. Reply or call.",
        payload={},
    )


async def test_an_sms_is_posted_as_json_with_idempotency_key_and_bearer_token() -> None:
    async with SmsProvider() as provider, SmsAdapter(provider.url, token=TOKEN, policy=FAST) as sms:
        outcome = await sms.send(to("+1 (555) 123-4567"))

    assert outcome == DeliveryOutcome(sent=True, permanent=False, reason=None, attempts=1)
    [request] = provider.requests
    assert request.target == "/v1/messages"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["idempotency-key"] == str(DELIVERY)
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert provider.messages == [{"to": "+15551234567", "body": "Alex needs you. Reply or call."}]


async def test_without_a_token_no_authorization_is_sent() -> None:
    async with SmsProvider() as provider, SmsAdapter(provider.url, token=None, policy=FAST) as sms:
        await sms.send(to("+15551234567"))

    assert "authorization" not in provider.requests[0].headers


async def test_provider_errors_are_retried_under_the_same_idempotency_key() -> None:
    async with (
        SmsProvider([503, 200]) as provider,
        SmsAdapter(provider.url, token=TOKEN, policy=FAST) as sms,
    ):
        outcome = await sms.send(to("+15551234567"))

    assert (outcome.sent, outcome.attempts) == (True, 2)
    assert [r.headers["idempotency-key"] for r in provider.requests] == [str(DELIVERY)] * 2


async def test_a_rejected_request_is_a_permanent_failure() -> None:
    async with (
        SmsProvider([422]) as provider,
        SmsAdapter(provider.url, token=TOKEN, policy=FAST) as sms,
    ):
        outcome = await sms.send(to("+15551234567"))

    assert outcome == DeliveryOutcome(sent=False, permanent=True, reason="http 422", attempts=1)


async def test_a_number_that_is_not_e164_is_refused_before_sending() -> None:
    async with SmsProvider() as provider, SmsAdapter(provider.url, token=TOKEN, policy=FAST) as sms:
        outcome = await sms.send(to("555-1234"))

    assert outcome == DeliveryOutcome(
        sent=False, permanent=True, reason="invalid phone number", attempts=0
    )
    assert provider.requests == []


def test_the_provider_url_must_be_http() -> None:
    with pytest.raises(ValueError, match="TANDEM_SMS_URL"):
        SmsAdapter("ftp://sms.example.com/send", token=None)
