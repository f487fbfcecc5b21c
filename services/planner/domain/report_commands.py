"""The notifier's reports, as commands: what it did, recorded on an activation's delivery
stream (``handlers.reports``), never on the plan's."""

from uuid import UUID

from contracts.ids import ActivationId, RecipientId
from contracts.vocabulary import ChannelKind, DeliveryStatus, MessageKind
from planner.domain.commands import Command


class RecordDelivery(Command, frozen=True, kw_only=True):
    """The notifier reports one delivery; ``now`` is when it happened."""

    delivery_id: UUID
    activation_id: ActivationId | None
    recipient_id: RecipientId
    channel: ChannelKind
    tier: int
    message: MessageKind
    status: DeliveryStatus
    reason: str | None = None
    attempts: int = 1
    about: UUID | None = None  # whom a note names, the request it belongs to: for the
    request_id: UUID | None = None  # accounting of disclosures (contracts.delivery)


class RecordEscalation(Command, frozen=True, kw_only=True):
    activation_id: ActivationId
    tier: int


DeliveryCommand = RecordDelivery | RecordEscalation
