"""E-mail against a loopback aiosmtpd server: Message-ID, auth, 4xx retries, 5xx refusals."""

from uuid import UUID

import pytest

from contracts.vocabulary import ChannelKind
from notifier.channels.base import DeliveryOutcome, OutboundMessage
from notifier.channels.email import EmailAdapter
from notifier.channels.retry import RetryPolicy
from tests.support.receivers import SmtpServer

pytestmark = pytest.mark.integration

DELIVERY = UUID("0190b6b2-9f6e-7c3a-8d41-1f2e3d4c5b6c")
FAST = RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.005, deadline=5.0)


def to(address: str) -> OutboundMessage:
    return OutboundMessage(
        delivery_id=DELIVERY,
        channel=ChannelKind.EMAIL,
        address=address,
        subject="Alex asked for help",
        text="Alex needs you tonight.\nAcknowledge: https://tandem.test/ack/abc",
        payload={},
    )


async def test_an_email_arrives_with_the_delivery_id_as_its_message_id() -> None:
    async with SmtpServer() as smtp:
        outcome = await EmailAdapter(smtp.url, policy=FAST).send(to("dana@example.com"))

    assert outcome == DeliveryOutcome(sent=True, permanent=False, reason=None, attempts=1)
    [mail] = smtp.messages
    assert mail.mail_from == "alerts@tandem.invalid"
    assert mail.rcpt_tos == ("dana@example.com",)
    assert mail.message_id == f"<{DELIVERY}@tandem>"
    assert mail.subject == "Alex asked for help"
    assert mail.message["From"] == "Tandem <alerts@tandem.invalid>"
    assert "https://tandem.test/ack/abc" in mail.body


async def test_credentials_in_the_url_log_in() -> None:
    async with SmtpServer(credentials=("alerts", "s3cret")) as smtp:
        outcome = await EmailAdapter(smtp.url, policy=FAST).send(to("dana@example.com"))

    assert outcome.sent
    assert len(smtp.messages) == 1


async def test_wrong_credentials_are_a_permanent_failure() -> None:
    async with SmtpServer(credentials=("alerts", "s3cret")) as smtp:
        url = smtp.url.replace("s3cret", "wrong")
        outcome = await EmailAdapter(url, policy=FAST).send(to("dana@example.com"))

    assert (outcome.sent, outcome.permanent, outcome.reason) == (False, True, "smtp 535")
    assert smtp.messages == []


async def test_a_4xx_reply_is_retried_and_the_retry_carries_the_same_message_id() -> None:
    async with SmtpServer(data_replies=["451 4.3.0 try again later"]) as smtp:
        outcome = await EmailAdapter(smtp.url, policy=FAST).send(to("dana@example.com"))

    assert (outcome.sent, outcome.attempts) == (True, 2)
    [refused], [accepted] = smtp.refused, smtp.messages
    assert refused.message_id == accepted.message_id == f"<{DELIVERY}@tandem>"


async def test_a_refused_recipient_is_a_permanent_failure() -> None:
    async with SmtpServer(rcpt_replies=["550 5.1.1 no such user"]) as smtp:
        outcome = await EmailAdapter(smtp.url, policy=FAST).send(to("nobody@example.com"))

    assert outcome == DeliveryOutcome(sent=False, permanent=True, reason="smtp 550", attempts=1)
    assert smtp.rcpt_attempts == 1


async def test_a_greylisted_recipient_is_retried() -> None:
    async with SmtpServer(rcpt_replies=["450 4.2.0 greylisted"]) as smtp:
        outcome = await EmailAdapter(smtp.url, policy=FAST).send(to("dana@example.com"))

    assert (outcome.sent, outcome.attempts, smtp.rcpt_attempts) == (True, 2, 2)


async def test_an_unreachable_server_is_a_transient_failure() -> None:
    async with SmtpServer() as smtp:
        url = smtp.url  # its port is closed once the server stops
    outcome = await EmailAdapter(url, policy=FAST).send(to("dana@example.com"))

    assert (outcome.sent, outcome.permanent, outcome.reason) == (False, False, "connection error")
    assert outcome.attempts == 3


async def test_a_malformed_address_is_refused_before_connecting() -> None:
    outcome = await EmailAdapter("smtp://127.0.0.1:9", policy=FAST).send(to("dana at example"))

    assert outcome == DeliveryOutcome(
        sent=False, permanent=True, reason="invalid e-mail address", attempts=0
    )
