"""Channels as a caller saves them: checked, and webhooks given their signing secret once."""

from collections.abc import Sequence
from typing import assert_never
from uuid import UUID

import msgspec

from common.capabilities import webhook_secret
from common.channels import addresses
from common.channels.webhook_policy import (
    WebhookAddressRefused,
    WebhookHostUnresolved,
    vet_webhook_url,
)
from contracts.vocabulary import Channel, ChannelKind
from planner.api.schemas import ChannelIn, ChannelOut
from planner.domain.errors import InvalidCommand
from planner.settings import Settings


async def to_channels(channels: Sequence[ChannelIn], settings: Settings) -> tuple[Channel, ...]:
    """The channels to store: an e-mail address, an E.164 phone number (saved compact), or
    a webhook that does not point into our own network; anything else is a 422.

    The notifier checks again before each send (a name may resolve differently later);
    a webhook host that does not resolve yet is accepted here and re-checked there.
    """
    saved = tuple(
        Channel(kind=c.kind, address=_address(index, c)) for index, c in enumerate(channels)
    )
    for channel in saved:
        if channel.kind is ChannelKind.WEBHOOK:
            await _check_webhook(channel.address, allow_private=settings.allow_private_webhooks)
    return saved


def _address(index: int, channel: ChannelIn) -> str:
    match channel.kind:
        case ChannelKind.EMAIL:
            address, wanted = addresses.email_address(channel.address), "an e-mail address"
        case ChannelKind.SMS:
            address = addresses.phone_number(channel.address)
            wanted = "a phone number in international form, e.g. +15551234567"
        case ChannelKind.WEBHOOK:
            address, wanted = channel.address.strip(), "a webhook URL"
        case _:
            assert_never(channel.kind)
    if not address:
        raise InvalidCommand("channels", f"channels[{index}] is not {wanted}")
    return address


async def _check_webhook(url: str, *, allow_private: bool) -> None:
    try:
        await vet_webhook_url(url, allow_private=allow_private)
    except WebhookHostUnresolved:
        return
    except WebhookAddressRefused as refused:
        raise InvalidCommand("channels", f"webhook address not allowed: {refused.reason}") from None


def shown_once(settings: Settings, owner_id: UUID, channels: Sequence[Channel]) -> list[ChannelOut]:
    """The channels as saved, each webhook with the secret its deliveries are signed with."""
    return with_secrets(settings, owner_id, channels_out(channels))


def channels_out(channels: Sequence[Channel]) -> list[ChannelOut]:
    """The channels as saved, without secrets: what an Idempotency-Key may keep."""
    return [ChannelOut(kind=channel.kind, address=channel.address) for channel in channels]


def with_secrets(
    settings: Settings, owner_id: UUID, channels: Sequence[ChannelOut]
) -> list[ChannelOut]:
    """Each webhook's signing secret, derived again from the service secret (never stored)."""
    return [
        msgspec.structs.replace(
            channel,
            signing_secret=webhook_secret(settings.secret_key, owner_id, channel.address),
        )
        if channel.kind is ChannelKind.WEBHOOK
        else channel
        for channel in channels
    ]
