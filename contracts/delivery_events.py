"""What the system reports about an activation: each delivery, each escalation.

Part of the one tagged union in ``contracts.events``, under the same evolution rules, but
never on the plan's stream: the planner records them on a **delivery stream** of their own,
whose id is the activation's (for a consent request's deliveries, the support contact's).
The plan's stream holds what people decided, so a person's command never conflicts with
the system's writes. Each event names its plan, for the subject it is published on.

Stores written before delivery streams hold these events, without ``plan_id``, on the
plan's stream; readers take them from both places and the views come out the same.
"""

from datetime import datetime
from uuid import UUID

from contracts.ids import ActivationId, PlanId, RecipientId
from contracts.vocabulary import ChannelKind, DeliveryStatus, Event, MessageKind


class AlertDeliveryRecorded(Event, frozen=True, kw_only=True, tag="plan.alert_delivery_recorded"):
    """The notifier's report of one delivery, so the history says who was told."""

    delivery_id: UUID
    activation_id: ActivationId | None = None  # None for a consent request
    recipient_id: RecipientId
    channel: ChannelKind
    tier: int = 0
    message: MessageKind
    status: DeliveryStatus
    reason: str | None = None
    attempts: int = 1
    at: datetime
    plan_id: PlanId | None = None  # None: stored on the plan's own stream (older stores)
    # What the accounting of disclosures needs to say whom a message named: see
    # ``contracts.delivery.DeliveryReported``. None in reports from before they were kept.
    about: UUID | None = None
    request_id: UUID | None = None


class ActivationEscalated(Event, frozen=True, kw_only=True, tag="plan.activation_escalated"):
    """Nobody acknowledged in time: the next tier is alerted (or, past the last, nobody is left)."""

    activation_id: ActivationId
    tier: int
    at: datetime
    plan_id: PlanId | None = None  # None: stored on the plan's own stream (older stores)


DeliveryEvent = AlertDeliveryRecorded | ActivationEscalated

DELIVERY_EVENT_TYPES = frozenset(
    {AlertDeliveryRecorded.__struct_config__.tag, ActivationEscalated.__struct_config__.tag}
)


def delivery_stream_id(activation_id: UUID | None, recipient_id: UUID) -> UUID:
    """The delivery stream a report goes on: its activation's, or its contact's."""
    return recipient_id if activation_id is None else activation_id


def plan_of(stream_id: UUID, event: object) -> UUID:
    """The plan an event stored on ``stream_id`` is about (a delivery stream names it)."""
    if isinstance(event, AlertDeliveryRecorded | ActivationEscalated) and event.plan_id:
        return event.plan_id
    return stream_id
