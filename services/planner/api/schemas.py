"""Request and response bodies. Requests forbid unknown fields: a typo is an error, not a no-op."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from contracts.support_events import CONSENT_DAYS_DEFAULT
from contracts.vocabulary import ChannelKind, DisclosureChoice, Level, Outcome

INT4_MAX = 2**31 - 1
"""The largest PostgreSQL ``int`` (stream versions): no integer a caller sends exceeds it."""

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"\S")]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=2000, pattern=r"\S")]
OptionalText = Annotated[str, msgspec.Meta(max_length=2000)]
Address = Annotated[str, msgspec.Meta(min_length=3, max_length=320)]
ConsentDays = Annotated[int, msgspec.Meta(ge=1, le=CONSENT_DAYS_DEFAULT)]


class Request(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base of every request body."""


class NewParticipant(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    display_name: Name


class ErasureConfirmation(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    confirm: str = ""  # "erase": anything else is refused, saying what to send


class ParticipantCreated(msgspec.Struct, frozen=True, kw_only=True):
    participant_id: UUID
    token: str  # shown once; only its hash is stored
    token_id: UUID
    expires_at: datetime  # moves on with each use (GET /v1/participants/me/tokens)


class NewPlan(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    title: Title


class Versioned(msgspec.Struct, frozen=True, kw_only=True):
    plan_id: UUID
    version: int


class InviteCreated(Versioned, frozen=True, kw_only=True):
    invite_id: UUID
    invite_code: str  # shown once; only its hash is stored
    expires_at: datetime


class NewWarningSign(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    category: Name
    description: Text
    owner_id: UUID | None = None  # whose sign; the caller's when omitted
    level: Level = Level.WATCH  # the level of trouble the sign points to


class WarningSignChange(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    category: Name | None = None
    description: Text | None = None


class SignSaved(Versioned, frozen=True, kw_only=True):
    sign_id: UUID


class NewResponseStep(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    level: Level
    description: Text


class ResponseStepChange(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    level: Level | None = None
    description: Text | None = None


class StepSaved(Versioned, frozen=True, kw_only=True):
    step_id: UUID


class ChannelIn(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    kind: ChannelKind
    address: Address


class ChannelsIn(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    channels: Annotated[list[ChannelIn], msgspec.Meta(max_length=5)]


class ChannelOut(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    kind: ChannelKind
    address: str
    signing_secret: str | None = None  # webhooks only: shown once, verify our signatures with it


class ChannelsSaved(msgspec.Struct, frozen=True, kw_only=True):
    participant_id: UUID
    channels: list[ChannelOut]


class DisclosureIn(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Your own choice about a support contact: whether they may be alerted when *you* ask
    for help, and whether an alert may show your warning signs or your note (their own
    consent scope must allow that too). Adding a contact, the defaults alert them and show
    nothing more."""

    alert: bool = True
    share_signs: bool = False
    share_note: bool = False

    def choice(self) -> DisclosureChoice:
        return DisclosureChoice(
            alert=self.alert, share_signs=self.share_signs, share_note=self.share_note
        )


class NewSupport(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    display_name: Name
    relationship: Name
    channels: Annotated[list[ChannelIn], msgspec.Meta(min_length=1, max_length=5)]
    disclosure: DisclosureIn = DisclosureIn()  # the adding partner's own choice
    consent_days: ConsentDays = 365  # how long their yes lasts (at most a year)


class SupportAdded(Versioned, frozen=True, kw_only=True):
    """The consent request goes to the contact's own channels only, never to a partner."""

    contact_id: UUID
    consent_requested_until: datetime  # when the link the contact got stops working
    channels: list[ChannelOut]  # a webhook's signing secret is shown here, once


class ConsentRequestSent(Versioned, frozen=True, kw_only=True):
    """A new consent request, with a new link, went to the contact's own channels."""

    contact_id: UUID
    consent_requested_until: datetime


class SupportRemoved(Versioned, frozen=True, kw_only=True):
    contact_id: UUID


class ScopeIn(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    levels: Annotated[list[Level], msgspec.Meta(min_length=1)] = msgspec.field(
        default_factory=lambda: [Level.WATCH, Level.SETBACK, Level.CRISIS]
    )
    share_signs: bool = False
    share_notes: bool = False


class ConsentDecision(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    decision: Literal["accept", "decline"]
    scope: ScopeIn | None = None


class ConsentRequestView(msgspec.Struct, frozen=True, kw_only=True):
    """What a contact is asked, with nothing about the partners' health."""

    contact_name: str
    relationship: str
    asked_by: list[str]
    status: str
    scope: ScopeIn | None
    explanation: str
    open: bool  # whether this link can still accept or decline
    expires_at: datetime | None
    # What Tandem tells a person it first contacts (GDPR Art. 14): who asks, why, what is
    # kept, for how long, how to withdraw and to be erased; one paragraph each.
    notice: list[str] = msgspec.field(default_factory=list)
    consent_days: int = 365  # how long a yes through this link lasts
    consent_expires_at: datetime | None = None  # when their current yes ends


class ConsentSaved(Versioned, frozen=True, kw_only=True):
    contact_id: UUID
    status: str


class EscalationSaved(Versioned, frozen=True, kw_only=True):
    level: Level


class TierIn(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    contact_ids: Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=20)]
    ack_timeout_seconds: Annotated[int, msgspec.Meta(ge=1, le=86400)]


class EscalationPolicyIn(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    level: Level
    tiers: Annotated[list[TierIn], msgspec.Meta(min_length=1, max_length=5)]


class NewActivation(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    level: Level
    observed_sign_ids: Annotated[list[UUID], msgspec.Meta(max_length=50)] = msgspec.field(
        default_factory=list
    )
    note: OptionalText = ""


class RecipientOut(msgspec.Struct, frozen=True, kw_only=True):
    recipient_id: UUID
    kind: str
    display_name: str
    tier: int


class ActivationCreated(Versioned, frozen=True, kw_only=True):
    activation_id: UUID
    level: Level
    recipients: list[RecipientOut]
    reaches_anyone: bool  # false: no recipient has a channel, nobody will be alerted
    unreachable: list[UUID]  # recipients with no channel to alert them on


class Resolution(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    outcome: Outcome = Outcome.RESOLVED
    reflection: OptionalText = ""


class ActivationChanged(Versioned, frozen=True, kw_only=True):
    activation_id: UUID
    status: str


class NewCheckIn(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    mood: Annotated[int, msgspec.Meta(ge=1, le=5)]
    craving: Annotated[int, msgspec.Meta(ge=0, le=10)]
    note: OptionalText = ""
    signs_noticed: Annotated[list[UUID], msgspec.Meta(max_length=50)] = msgspec.field(
        default_factory=list
    )


class CheckInSaved(Versioned, frozen=True, kw_only=True):
    check_in_id: UUID
