"""The envelope: an event with the facts the store records about it."""

from datetime import datetime
from uuid import UUID

import msgspec

from contracts.events import PlanEvent
from contracts.ids import EventId


class Metadata(msgspec.Struct, frozen=True, kw_only=True):
    """Who caused an event and why. ``actor`` is a participant, an operator or a system."""

    actor: str
    correlation_id: UUID
    causation_id: UUID | None = None


class Envelope(msgspec.Struct, frozen=True, kw_only=True):
    event_id: EventId
    stream_id: UUID
    stream_version: int
    position: int
    event_type: str
    schema_version: int
    recorded_at: datetime
    metadata: Metadata
    event: PlanEvent
