"""Which failures are hopeless (never retried) and which the ledger tries again later.

A 4xx other than 408 and 429, an invalid address, an address the webhook policy refuses
(SSRF) and a channel not configured are hopeless; a timeout, a refused connection, 408,
429 and 5xx are tried again on the schedule, honouring Retry-After.
"""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from contracts.vocabulary import ChannelKind
from notifier.channels.base import DeliveryOutcome, OutboundMessage
from notifier.channels.email import EmailAdapter
from notifier.channels.http_post import classify_status
from notifier.channels.registry import NotConfigured
from notifier.channels.retry import Attempt
from notifier.channels.sms import SmsAdapter
from notifier.channels.webhook import WebhookAdapter
from notifier.domain.retrying import Failure, GiveUp, RetrySchedule, TryAgain, after_failure

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
DELIVERY = UUID("0190b6b2-9f6e-7c3a-8d41-1f2e3d4c5b6a")


def verdict_of(outcome: DeliveryOutcome | Attempt) -> TryAgain | GiveUp:
    failure = Failure(
        hopeless=outcome.permanent, reason=outcome.reason, retry_after=outcome.retry_after
    )
    return after_failure(RetrySchedule(), failure, NOW, 0.0)


def message(kind: ChannelKind, address: str) -> OutboundMessage:
    return OutboundMessage(
        delivery_id=DELIVERY, channel=kind, address=address, subject="s", text="t", payload={}
    )


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422, 301])
def test_a_client_error_other_than_408_or_429_is_hopeless(status: int) -> None:
    assert verdict_of(classify_status(status, None, now=0.0)) == GiveUp(reason=f"http {status}")


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_timeouts_rate_limits_and_server_errors_are_tried_again(status: int) -> None:
    assert isinstance(verdict_of(classify_status(status, None, now=0.0)), TryAgain)


def test_a_429_is_tried_again_no_sooner_than_its_retry_after() -> None:
    verdict = verdict_of(classify_status(429, "120", now=0.0))
    assert isinstance(verdict, TryAgain)
    assert verdict.at == NOW + timedelta(seconds=120)


async def test_an_address_the_webhook_policy_refuses_is_hopeless() -> None:
    adapter = WebhookAdapter(allow_private=False)
    outcome = await adapter.send(message(ChannelKind.WEBHOOK, "http://127.0.0.1/hook"))
    assert verdict_of(outcome) == GiveUp(reason="address not allowed")


@pytest.mark.parametrize(
    ("kind", "address", "reason"),
    [
        (ChannelKind.EMAIL, "call me maybe", "invalid e-mail address"),
        (ChannelKind.SMS, "555-CALL-NOW", "invalid phone number"),
    ],
)
async def test_an_invalid_address_is_hopeless(kind: ChannelKind, address: str, reason: str) -> None:
    adapter = (
        EmailAdapter("smtp://127.0.0.1:1")
        if kind is ChannelKind.EMAIL
        else SmsAdapter("http://127.0.0.1:1/sms", token=None)
    )
    outcome = await adapter.send(message(kind, address))
    assert verdict_of(outcome) == GiveUp(reason=reason)


async def test_a_channel_not_configured_is_hopeless() -> None:
    outcome = await NotConfigured("SMS").send(message(ChannelKind.SMS, "+15551234567"))
    assert isinstance(verdict_of(outcome), GiveUp)
