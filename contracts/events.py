"""The plan's event catalogue: one tagged union of frozen Structs.

Evolution rules (msgspec schema evolution): a new field gets a default; a field's type
never changes; a breaking change is a new tag. Unknown fields are ignored on decode so
older readers skip newer fields.
"""

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from contracts.ids import (
    ActivationId,
    CheckInId,
    ConsentRequestId,
    ContactId,
    InviteId,
    ParticipantId,
    PlanId,
    RecipientId,
    SignId,
    StepId,
)
from contracts.vocabulary import (
    ActivationTier,
    Channel,
    ChannelKind,
    ConsentScope,
    DeliveryStatus,
    Level,
    LongText,
    MessageKind,
    Outcome,
    Recipient,
    Sha256Hex,
    ShortText,
    Tier,
)

SCHEMA_VERSION = 1
"""The version of an event type that has never changed. ``contracts.upcasting`` knows the
current version of each type, and turns stored older versions into the current shape."""


class Event(msgspec.Struct, frozen=True, kw_only=True, tag_field="type"):
    """Base of every plan event. The tag is permanent: it names the event in storage."""


class PlanCreated(Event, frozen=True, kw_only=True, tag="plan.created"):
    plan_id: PlanId
    title: ShortText
    created_by: ParticipantId
    creator_name: str


class PartnerInvited(Event, frozen=True, kw_only=True, tag="plan.partner_invited"):
    invite_id: InviteId
    invited_by: ParticipantId
    code_sha256: Sha256Hex
    expires_at: datetime


class PartnerJoined(Event, frozen=True, kw_only=True, tag="plan.partner_joined"):
    invite_id: InviteId
    participant_id: ParticipantId
    display_name: str


class WarningSignAdded(Event, frozen=True, kw_only=True, tag="plan.warning_sign_added"):
    """Schema version 2 added ``level``: the level of trouble the sign points to.

    Version 1 events are upcast on read (see ``contracts.upcasting``) as ``watch``, the
    level a sign had in effect before signs had levels.
    """

    sign_id: SignId
    owner_id: ParticipantId
    category: ShortText
    description: LongText
    level: Level


class WarningSignRevised(Event, frozen=True, kw_only=True, tag="plan.warning_sign_revised"):
    sign_id: SignId
    category: ShortText
    description: LongText


class WarningSignRetired(Event, frozen=True, kw_only=True, tag="plan.warning_sign_retired"):
    sign_id: SignId


class ResponseStepAdded(Event, frozen=True, kw_only=True, tag="plan.response_step_added"):
    step_id: StepId
    level: Level
    description: LongText


class ResponseStepRevised(Event, frozen=True, kw_only=True, tag="plan.response_step_revised"):
    step_id: StepId
    level: Level
    description: LongText


class ResponseStepRemoved(Event, frozen=True, kw_only=True, tag="plan.response_step_removed"):
    step_id: StepId


class SupportContactAdded(Event, frozen=True, kw_only=True, tag="plan.support_contact_added"):
    contact_id: ContactId
    display_name: ShortText
    relationship: ShortText
    channels: tuple[Channel, ...]
    added_by: ParticipantId
    added_by_name: str = ""


class ConsentRequested(Event, frozen=True, kw_only=True, tag="plan.consent_requested"):
    """A contact is asked, on their own channels only, by a link for this request alone
    (until ``expires_at``; one decision closes it). Name and channels are copied for the
    notifier, which sends the request from this event alone."""

    contact_id: ContactId
    request_id: ConsentRequestId
    expires_at: datetime
    contact_name: ShortText
    channels: tuple[Channel, ...]
    requested_by: ParticipantId
    requested_by_name: str = ""


class ConsentGiven(Event, frozen=True, kw_only=True, tag="plan.consent_given"):
    contact_id: ContactId
    scope: ConsentScope
    at: datetime
    request_id: ConsentRequestId | None = None  # the request whose link said so; None: older


class ConsentDeclined(Event, frozen=True, kw_only=True, tag="plan.consent_declined"):
    contact_id: ContactId
    at: datetime
    request_id: ConsentRequestId | None = None


class ConsentWithdrawn(Event, frozen=True, kw_only=True, tag="plan.consent_withdrawn"):
    contact_id: ContactId
    at: datetime
    request_id: ConsentRequestId | None = None


class SupportContactRemoved(Event, frozen=True, kw_only=True, tag="plan.support_contact_removed"):
    contact_id: ContactId


class EscalationPolicySet(Event, frozen=True, kw_only=True, tag="plan.escalation_policy_set"):
    level: Level
    tiers: tuple[Tier, ...]


class PlanActivated(Event, frozen=True, kw_only=True, tag="plan.activated"):
    """A setback started. Recipients and tiers are frozen here: later edits don't change them."""

    activation_id: ActivationId
    level: Level
    activated_by: ParticipantId
    observed_sign_ids: tuple[SignId, ...]
    note: LongText
    recipients: tuple[Recipient, ...]
    tiers: tuple[ActivationTier, ...]
    at: datetime
    activator_name: str = ""
    activator_channels: tuple[Channel, ...] = ()  # for the notes back to the one who asked


class ActivationAcknowledged(Event, frozen=True, kw_only=True, tag="plan.activation_acknowledged"):
    activation_id: ActivationId
    by: RecipientId
    at: datetime


class ActivationResolved(Event, frozen=True, kw_only=True, tag="plan.activation_resolved"):
    activation_id: ActivationId
    outcome: Outcome
    reflection: LongText
    resolved_by: ParticipantId
    at: datetime


class AlertDeliveryRecorded(Event, frozen=True, kw_only=True, tag="plan.alert_delivery_recorded"):
    """The notifier's report of one delivery, so the plan's history says who was told."""

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


class ActivationEscalated(Event, frozen=True, kw_only=True, tag="plan.activation_escalated"):
    """Nobody acknowledged in time: the next tier is alerted (or, past the last, nobody is left)."""

    activation_id: ActivationId
    tier: int
    at: datetime


class CheckInRecorded(Event, frozen=True, kw_only=True, tag="plan.check_in_recorded"):
    check_in_id: CheckInId
    participant_id: ParticipantId
    mood: Annotated[int, msgspec.Meta(ge=1, le=5)]
    craving: Annotated[int, msgspec.Meta(ge=0, le=10)]
    note: LongText
    signs_noticed: tuple[SignId, ...]
    at: datetime


PlanEvent = (
    PlanCreated
    | PartnerInvited
    | PartnerJoined
    | WarningSignAdded
    | WarningSignRevised
    | WarningSignRetired
    | ResponseStepAdded
    | ResponseStepRevised
    | ResponseStepRemoved
    | SupportContactAdded
    | ConsentRequested
    | ConsentGiven
    | ConsentDeclined
    | ConsentWithdrawn
    | SupportContactRemoved
    | EscalationPolicySet
    | PlanActivated
    | ActivationAcknowledged
    | ActivationResolved
    | CheckInRecorded
    | AlertDeliveryRecorded
    | ActivationEscalated
)

EVENT_TYPES: dict[str, type[PlanEvent]] = {
    cls.__struct_config__.tag: cls for cls in PlanEvent.__args__
}

encoder = msgspec.json.Encoder()
decoder: msgspec.json.Decoder[PlanEvent] = msgspec.json.Decoder(PlanEvent)


def event_type(event: PlanEvent) -> str:
    """The permanent tag of an event, e.g. ``plan.activated``."""
    return str(event.__struct_config__.tag)


def encode(event: PlanEvent) -> bytes:
    return encoder.encode(event)


def decode(data: bytes | str) -> PlanEvent:
    return decoder.decode(data)
