"""Commands: what a caller asks of a plan. ``now`` and every new id arrive on the command."""

from datetime import datetime
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
from contracts.support_events import CONSENT_DAYS_DEFAULT
from contracts.vocabulary import (
    Channel,
    ConsentScope,
    DisclosureChoice,
    Level,
    Outcome,
    Tier,
)


class Command(msgspec.Struct, frozen=True, kw_only=True):
    now: datetime


class CreatePlan(Command, frozen=True, kw_only=True):
    plan_id: PlanId
    title: str
    actor: ParticipantId
    actor_name: str


class InvitePartner(Command, frozen=True, kw_only=True):
    actor: ParticipantId
    invite_id: InviteId
    code_sha256: str
    expires_at: datetime


class AcceptInvite(Command, frozen=True, kw_only=True):
    actor: ParticipantId
    actor_name: str
    code_sha256: str


class AddWarningSign(Command, frozen=True, kw_only=True):
    actor: ParticipantId
    sign_id: SignId
    owner_id: ParticipantId
    category: str
    description: str
    level: Level = Level.WATCH


class ReviseWarningSign(Command, frozen=True, kw_only=True):
    actor: ParticipantId
    sign_id: SignId
    category: str | None = None
    description: str | None = None


class RetireWarningSign(Command, frozen=True, kw_only=True):
    actor: ParticipantId
    sign_id: SignId


class AddResponseStep(Command, frozen=True, kw_only=True):
    actor: ParticipantId
    step_id: StepId
    level: Level
    description: str


class ReviseResponseStep(Command, frozen=True, kw_only=True):
    actor: ParticipantId
    step_id: StepId
    level: Level | None = None
    description: str | None = None


class RemoveResponseStep(Command, frozen=True, kw_only=True):
    actor: ParticipantId
    step_id: StepId


class AddSupportContact(Command, frozen=True, kw_only=True):
    """Adds the contact and sends them a first consent request (``request_id``).
    ``do_not_involve``: each address key on either partner's list, to that partner."""

    actor: ParticipantId
    contact_id: ContactId
    display_name: str
    relationship: str
    channels: tuple[Channel, ...]
    request_id: ConsentRequestId
    request_expires_at: datetime
    adder_disclosure: DisclosureChoice = DisclosureChoice(alert=True)
    consent_days: int = CONSENT_DAYS_DEFAULT
    do_not_involve: dict[str, ParticipantId] = msgspec.field(default_factory=dict)
    partner_channels: dict[ParticipantId, tuple[Channel, ...]] = msgspec.field(default_factory=dict)


class RequestConsent(Command, frozen=True, kw_only=True):
    """A partner asks a contact again: a new request, a new link."""

    actor: ParticipantId
    contact_id: ContactId
    request_id: ConsentRequestId
    expires_at: datetime
    consent_days: int | None = None  # None: as long as the last request said


class SetDisclosure(Command, frozen=True, kw_only=True):
    """A partner's own choice about a contact (``DisclosureChoice``)."""

    actor: ParticipantId
    contact_id: ContactId
    choice: DisclosureChoice


class NoticeConsentExpiry(Command, frozen=True, kw_only=True):
    """Tell the partners a contact's consent ends within ``notice_days`` (system, once)."""

    contact_id: ContactId
    notice_days: int
    partner_channels: dict[ParticipantId, tuple[Channel, ...]]


# Said by a contact through the link of request ``request_id`` (None: an older link).
class GiveConsent(Command, frozen=True, kw_only=True):
    contact_id: ContactId
    request_id: ConsentRequestId | None
    scope: ConsentScope


class DeclineConsent(Command, frozen=True, kw_only=True):
    contact_id: ContactId
    request_id: ConsentRequestId | None


class WithdrawConsent(Command, frozen=True, kw_only=True):
    contact_id: ContactId
    request_id: ConsentRequestId | None


class RemoveSupportContact(Command, frozen=True, kw_only=True):
    actor: ParticipantId
    contact_id: ContactId


class SetEscalationPolicy(Command, frozen=True, kw_only=True):
    actor: ParticipantId
    level: Level
    tiers: tuple[Tier, ...]


class ActivatePlan(Command, frozen=True, kw_only=True):
    actor: ParticipantId
    activation_id: ActivationId
    level: Level
    observed_sign_ids: tuple[SignId, ...] = ()
    note: str = ""
    # Each partner's own channels, frozen into the activation with its recipients.
    partner_channels: dict[ParticipantId, tuple[Channel, ...]] = msgspec.field(default_factory=dict)
    do_not_involve: frozenset[str] = frozenset()  # the activator's list, as address keys


class AcknowledgeActivation(Command, frozen=True, kw_only=True):
    """By a recipient: the other partner (HTTP) or a contact (acknowledge link)."""

    activation_id: ActivationId
    by: RecipientId


class ResolveActivation(Command, frozen=True, kw_only=True):
    actor: ParticipantId
    activation_id: ActivationId
    outcome: Outcome
    reflection: str = ""


class RequestSignInLink(Command, frozen=True, kw_only=True):
    """Send a one-time sign-in link to one of the partner's own channels."""

    actor: ParticipantId
    link_id: UUID
    display_name: str
    channel: Channel
    expires_at: datetime


class RecordCheckIn(Command, frozen=True, kw_only=True):
    actor: ParticipantId
    check_in_id: CheckInId
    mood: int
    craving: int
    note: str = ""
    signs_noticed: tuple[SignId, ...] = ()


PlanCommand = (
    CreatePlan
    | InvitePartner
    | AcceptInvite
    | AddWarningSign
    | ReviseWarningSign
    | RetireWarningSign
    | AddResponseStep
    | ReviseResponseStep
    | RemoveResponseStep
    | AddSupportContact
    | RequestConsent
    | SetDisclosure
    | NoticeConsentExpiry
    | GiveConsent
    | DeclineConsent
    | WithdrawConsent
    | RemoveSupportContact
    | SetEscalationPolicy
    | ActivatePlan
    | AcknowledgeActivation
    | ResolveActivation
    | RecordCheckIn
    | RequestSignInLink
)
