"""The From of every e-mail is TANDEM_EMAIL_FROM, on the envelope and in the header."""

from uuid import UUID

import pytest

from contracts.vocabulary import ChannelKind
from notifier.channels import registry
from notifier.channels.base import OutboundMessage
from notifier.channels.retry import RetryPolicy
from notifier.settings import from_env
from tests.support.receivers import SmtpServer

pytestmark = pytest.mark.integration

FAST = RetryPolicy(max_attempts=1, base_delay=0.001, max_delay=0.005, deadline=5.0)


async def test_mail_goes_out_from_the_configured_sender() -> None:
    async with SmtpServer() as smtp:
        settings = from_env(
            {
                "TANDEM_DATABASE_URL": "postgresql:///unused",
                "TANDEM_NATS_URL": "nats://127.0.0.1:4222",
                "TANDEM_SECRET_KEY": "k",
                "TANDEM_SMTP_URL": smtp.url,
                "TANDEM_EMAIL_FROM": "Tandem alerts <alerts@example.org>",
            }
        )
        channels = registry.build(settings, FAST)
        message = OutboundMessage(
            delivery_id=UUID("0190b6b2-9f6e-7c3a-8d41-1f2e3d4c5b6d"),
            channel=ChannelKind.EMAIL,
            address="dana@example.com",
            subject="Alex asked for help",
            text="Alex needs you tonight.",
            payload={},
        )
        outcome = await channels[ChannelKind.EMAIL].send(message)
        await registry.close(channels)

    assert outcome.sent
    [mail] = smtp.messages
    assert mail.mail_from == "alerts@example.org"
    assert mail.message["From"] == "Tandem alerts <alerts@example.org>"
