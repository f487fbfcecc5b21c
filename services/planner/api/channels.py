"""Channels as a caller saves them: checked, and webhooks given their signing secret once."""

from collections.abc import Sequence
from uuid import UUID

from contracts.capabilities import webhook_secret
from contracts.events import Channel, ChannelKind
from planner.api.schemas import ChannelIn, ChannelOut
from planner.settings import Settings


def to_channels(channels: Sequence[ChannelIn]) -> tuple[Channel, ...]:
    return tuple(Channel(kind=c.kind, address=c.address.strip()) for c in channels)


def shown_once(settings: Settings, owner_id: UUID, channels: Sequence[Channel]) -> list[ChannelOut]:
    """The channels as saved, each webhook with the secret its deliveries are signed with."""
    return [
        ChannelOut(
            kind=channel.kind,
            address=channel.address,
            signing_secret=webhook_secret(settings.secret_key, owner_id, channel.address)
            if channel.kind is ChannelKind.WEBHOOK
            else None,
        )
        for channel in channels
    ]
