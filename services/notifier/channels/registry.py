"""The channel registry: one adapter per channel kind, chosen from the settings."""

from collections.abc import Mapping

from contracts.vocabulary import ChannelKind
from notifier.channels.base import ChannelAdapter, DeliveryOutcome, OutboundMessage
from notifier.channels.dev_outbox import DevOutboxAdapter
from notifier.channels.email import EmailAdapter
from notifier.channels.retry import RetryPolicy
from notifier.channels.sms import SmsAdapter
from notifier.channels.webhook import WebhookAdapter
from notifier.settings import NotifierSettings


class NotConfigured:
    """A channel with no provider configured: every send fails for good, and says why."""

    def __init__(self, what: str) -> None:
        self.reason = f"{what} is not configured"

    async def send(self, message: OutboundMessage) -> DeliveryOutcome:
        return DeliveryOutcome(sent=False, permanent=True, reason=self.reason, attempts=0)


def build(
    settings: NotifierSettings, policy: RetryPolicy | None = None
) -> Mapping[ChannelKind, ChannelAdapter]:
    outbox = (
        DevOutboxAdapter(settings.dev_outbox, read_at=f"{settings.public_url}/dev/outbox")
        if settings.dev_outbox
        else None
    )
    email: ChannelAdapter
    sms: ChannelAdapter
    if settings.smtp_url:
        email = EmailAdapter(settings.smtp_url, sender=settings.email_from, policy=policy)
    else:
        email = outbox or NotConfigured("e-mail (TANDEM_SMTP_URL)")
    if settings.sms_url:
        sms = SmsAdapter(settings.sms_url, token=settings.sms_token, policy=policy)
    else:
        sms = outbox or NotConfigured("SMS (TANDEM_SMS_URL)")
    webhook = WebhookAdapter(allow_private=settings.allow_private_webhooks, policy=policy)
    return {ChannelKind.WEBHOOK: webhook, ChannelKind.EMAIL: email, ChannelKind.SMS: sms}


async def close(built: Mapping[ChannelKind, ChannelAdapter]) -> None:
    """Close the adapters' HTTP clients (an adapter may serve two kinds: close it once)."""
    unique = {id(adapter): adapter for adapter in built.values()}
    for adapter in unique.values():
        aclose = getattr(adapter, "aclose", None)
        if aclose is not None:
            await aclose()
