"""The plan as folded from its events. Frozen: evolve returns a new state."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

import msgspec

from contracts.delivery_events import AlertDeliveryRecorded
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
    ConsentScope,
    DisclosureChoice,
    Level,
    Outcome,
    Recipient,
    Tier,
)

MAX_PARTNERS = 2


class ConsentStatus(StrEnum):
    PENDING = "pending"
    GIVEN = "given"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"  # shown only: a given consent past its end (see ``consent_at``)


class Partner(msgspec.Struct, frozen=True, kw_only=True):
    participant_id: ParticipantId
    display_name: str


class Invite(msgspec.Struct, frozen=True, kw_only=True):
    invite_id: InviteId
    code_sha256: str
    expires_at: datetime
    used: bool = False


class WarningSign(msgspec.Struct, frozen=True, kw_only=True):
    sign_id: SignId
    owner_id: ParticipantId
    category: str
    description: str
    level: Level
    retired: bool = False


class ResponseStep(msgspec.Struct, frozen=True, kw_only=True):
    step_id: StepId
    level: Level
    description: str


class ConsentRequest(msgspec.Struct, frozen=True, kw_only=True):
    """The latest request sent to a contact: its link answers it once, until it expires."""

    request_id: ConsentRequestId
    expires_at: datetime
    answer: ConsentStatus | None = None  # the decision made through its link, if any
    consent_days: int = 365  # how long a yes through its link lasts

    def is_open(self, now: datetime) -> bool:
        """Still waiting for an answer, and not expired."""
        return self.answer is None and now < self.expires_at


class SupportContact(msgspec.Struct, frozen=True, kw_only=True):
    contact_id: ContactId
    display_name: str
    relationship: str
    channels: tuple[Channel, ...]
    consent: ConsentStatus = ConsentStatus.PENDING
    scope: ConsentScope | None = None
    consent_changed_at: datetime | None = None
    removed: bool = False
    request: ConsentRequest | None = None  # None: never asked through a link of its own
    consent_expires_at: datetime | None = None  # when a given consent ends
    added_by: ParticipantId | None = None
    # Each partner's own choice about this contact; a partner missing here has not chosen.
    disclosures: dict[ParticipantId, DisclosureChoice] = msgspec.field(default_factory=dict)
    disclosure_asked: tuple[ParticipantId, ...] = ()  # partners asked, by a message
    expiry_noticed: datetime | None = None  # the consent end the partners were told of

    def consent_at(self, now: datetime) -> ConsentStatus:
        """The consent as it stands at ``now``: a given one past its end has expired."""
        expires = self.consent_expires_at
        if self.consent is ConsentStatus.GIVEN and expires is not None and now >= expires:
            return ConsentStatus.EXPIRED
        return self.consent

    def allows(self, partner_id: ParticipantId) -> DisclosureChoice:
        """What ``partner_id`` agreed this contact may learn about them (nothing, unasked)."""
        return self.disclosures.get(partner_id, DisclosureChoice())


class Acknowledgement(msgspec.Struct, frozen=True, kw_only=True):
    by: RecipientId
    at: datetime


class Activation(msgspec.Struct, frozen=True, kw_only=True):
    activation_id: ActivationId
    level: Level
    activated_by: ParticipantId
    observed_sign_ids: tuple[SignId, ...]
    note: str
    recipients: tuple[Recipient, ...]
    tiers: tuple[ActivationTier, ...]
    activated_at: datetime
    acknowledgements: tuple[Acknowledgement, ...] = ()
    activator_channels: tuple[Channel, ...] = ()
    deliveries: tuple[AlertDeliveryRecorded, ...] = ()
    escalated_tiers: tuple[int, ...] = ()
    outcome: Outcome | None = None
    reflection: str = ""
    resolved_by: ParticipantId | None = None
    resolved_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.outcome is None

    @property
    def unreachable(self) -> tuple[RecipientId, ...]:
        """Recipients with no channel to alert them on (a partner who set none)."""
        return tuple(r.recipient_id for r in self.recipients if not r.channels)

    @property
    def reaches_anyone(self) -> bool:
        """Whether any recipient can be alerted at all."""
        return any(r.channels for r in self.recipients)


class CheckIn(msgspec.Struct, frozen=True, kw_only=True):
    check_in_id: CheckInId
    participant_id: ParticipantId
    mood: int
    craving: int
    note: str
    signs_noticed: tuple[SignId, ...]
    at: datetime


class PlanState(msgspec.Struct, frozen=True, kw_only=True):
    """A plan that exists. Before its first event a plan is ``None``."""

    plan_id: PlanId
    title: str
    version: int = 0
    partners: tuple[Partner, ...] = ()
    invites: dict[InviteId, Invite] = msgspec.field(default_factory=dict)
    signs: dict[SignId, WarningSign] = msgspec.field(default_factory=dict)
    steps: dict[StepId, ResponseStep] = msgspec.field(default_factory=dict)
    contacts: dict[ContactId, SupportContact] = msgspec.field(default_factory=dict)
    policies: dict[Level, tuple[Tier, ...]] = msgspec.field(default_factory=dict)
    activations: dict[ActivationId, Activation] = msgspec.field(default_factory=dict)
    check_ins: tuple[CheckIn, ...] = ()
    erased: tuple[UUID, ...] = ()  # the participants and contacts erased from the plan

    def is_partner(self, participant_id: ParticipantId) -> bool:
        return any(p.participant_id == participant_id for p in self.partners)
