"""The event catalogue: one tagged union of frozen Structs, every event the store holds.

Plan streams hold what people decided (below, ``contracts.support_events`` and
``contracts.erasure_events``); delivery streams hold what the system reports
(``contracts.delivery_events``).

Evolution rules (msgspec schema evolution): a new field gets a default; a field's type
never changes; a breaking change is a new tag. Unknown fields are ignored on decode so
older readers skip newer fields.
"""

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from contracts.delivery_events import ActivationEscalated, AlertDeliveryRecorded
from contracts.erasure_events import ParticipantErased, SupportContactErased
from contracts.ids import (
    ActivationId,
    CheckInId,
    InviteId,
    ParticipantId,
    PlanId,
    RecipientId,
    SignId,
    StepId,
)
from contracts.support_events import (
    ConsentDeclined,
    ConsentExpiring,
    ConsentGiven,
    ConsentRequested,
    ConsentWithdrawn,
    DisclosureChosen,
    DisclosureRequested,
    EscalationPolicySet,
    SupportContactAdded,
    SupportContactRemoved,
)
from contracts.vocabulary import (
    ActivationTier,
    Channel,
    Event,
    Level,
    LongText,
    Outcome,
    Recipient,
    Sha256Hex,
    ShortText,
)

SCHEMA_VERSION = 1
"""The version of an event type that has never changed. ``contracts.upcasting`` knows the
current version of each type, and turns stored older versions into the current shape."""


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


class SignInLinkRequested(Event, frozen=True, kw_only=True, tag="plan.sign_in_link_requested"):
    """A partner asked to sign in on another device: a one-time link goes to ``channel``, one
    of their own, until ``expires_at``. The link is made when sent, never stored."""

    participant_id: ParticipantId
    link_id: UUID
    display_name: str
    channel: Channel
    expires_at: datetime


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
    | DisclosureRequested
    | DisclosureChosen
    | ConsentExpiring
    | SignInLinkRequested
    | ParticipantErased
    | SupportContactErased
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
