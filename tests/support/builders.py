"""Builders for plan tests: fixed ids and times, and the events that set a plan up.

Builders return events, so a test reads ``given(*two_partners(), *consented(DANA))``.
"""

from datetime import UTC, datetime, timedelta
from uuid import UUID

from contracts.events import (
    ActivationResolved,
    PartnerInvited,
    PartnerJoined,
    PlanActivated,
    PlanCreated,
    PlanEvent,
    ResponseStepAdded,
    WarningSignAdded,
    WarningSignRetired,
)
from contracts.ids import (
    ActivationId,
    CheckInId,
    ConsentRequestId,
    ContactId,
    InviteId,
    ParticipantId,
    PlanId,
    SignId,
    StepId,
)
from contracts.support_events import (
    ConsentGiven,
    ConsentRequested,
    EscalationPolicySet,
    SupportContactAdded,
)
from contracts.vocabulary import Channel, ChannelKind, ConsentScope, Level, Outcome, Tier
from planner.domain.commands import ActivatePlan
from planner.domain.decide import decide
from planner.domain.evolve import fold
from planner.domain.state import PlanState
from planner.store.chain import chain_key

CHAIN_KEY = chain_key(b"tests-secret-key")  # keys the event store's hash chain in tests
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
INVITE_EXPIRES = NOW + timedelta(days=7)

PLAN_ID = PlanId(UUID("01950000-0000-7000-8000-000000000001"))
ALEX = ParticipantId(UUID("01950000-0000-7000-8000-0000000000a1"))
BLAIR = ParticipantId(UUID("01950000-0000-7000-8000-0000000000b1"))
CASEY = ParticipantId(UUID("01950000-0000-7000-8000-0000000000c1"))  # never a partner
INVITE_ID = InviteId(UUID("01950000-0000-7000-8000-000000000011"))
OTHER_INVITE_ID = InviteId(UUID("01950000-0000-7000-8000-000000000012"))
CODE_SHA256 = "a" * 64
OTHER_CODE_SHA256 = "b" * 64
SIGN_ID = SignId(UUID("01950000-0000-7000-8000-000000000021"))
STEP_ID = StepId(UUID("01950000-0000-7000-8000-000000000031"))
DANA = ContactId(UUID("01950000-0000-7000-8000-0000000000d1"))
ELI = ContactId(UUID("01950000-0000-7000-8000-0000000000e1"))
FRAN = ContactId(UUID("01950000-0000-7000-8000-0000000000f1"))
# Each contact's first consent request, and when its link expires.
REQUEST_IDS = {
    DANA: ConsentRequestId(UUID("01950000-0000-7000-8000-0000000000d2")),
    ELI: ConsentRequestId(UUID("01950000-0000-7000-8000-0000000000e2")),
    FRAN: ConsentRequestId(UUID("01950000-0000-7000-8000-0000000000f2")),
}
OTHER_REQUEST_ID = ConsentRequestId(UUID("01950000-0000-7000-8000-0000000000d3"))
REQUEST_EXPIRES = NOW + timedelta(days=30)
ACTIVATION_ID = ActivationId(UUID("01950000-0000-7000-8000-000000000041"))
OTHER_ACTIVATION_ID = ActivationId(UUID("01950000-0000-7000-8000-000000000042"))
CHECK_IN_ID = CheckInId(UUID("01950000-0000-7000-8000-000000000051"))

NAMES = {ALEX: "Alex", BLAIR: "Blair", DANA: "Dana", ELI: "Eli", FRAN: "Fran"}
ALL_LEVELS = (Level.WATCH, Level.SETBACK, Level.CRISIS)


def email(contact_id: ContactId) -> Channel:
    return Channel(kind=ChannelKind.EMAIL, address=f"{NAMES[contact_id].lower()}@example.org")


def given(*events: PlanEvent) -> PlanState:
    """The plan after ``events``, which must start with ``plan.created``."""
    state = fold(events)
    assert state is not None
    return state


def plan_created() -> PlanCreated:
    return PlanCreated(plan_id=PLAN_ID, title="Our plan", created_by=ALEX, creator_name="Alex")


def partner_invited(
    invite_id: InviteId = INVITE_ID, code_sha256: str = CODE_SHA256
) -> PartnerInvited:
    return PartnerInvited(
        invite_id=invite_id, invited_by=ALEX, code_sha256=code_sha256, expires_at=INVITE_EXPIRES
    )


def partner_joined(invite_id: InviteId = INVITE_ID) -> PartnerJoined:
    return PartnerJoined(invite_id=invite_id, participant_id=BLAIR, display_name="Blair")


def solo_plan() -> list[PlanEvent]:
    return [plan_created()]


def two_partners() -> list[PlanEvent]:
    return [plan_created(), partner_invited(), partner_joined()]


def sign_added(sign_id: SignId = SIGN_ID, owner_id: ParticipantId = ALEX) -> WarningSignAdded:
    return WarningSignAdded(
        level=Level.WATCH,
        sign_id=sign_id,
        owner_id=owner_id,
        category="sleep",
        description="Up past 3am",
    )


def sign_retired(sign_id: SignId = SIGN_ID) -> WarningSignRetired:
    return WarningSignRetired(sign_id=sign_id)


def step_added(step_id: StepId = STEP_ID, level: Level = Level.WATCH) -> ResponseStepAdded:
    return ResponseStepAdded(step_id=step_id, level=level, description="Call the sponsor")


def contact_added(contact_id: ContactId = DANA) -> SupportContactAdded:
    return SupportContactAdded(
        contact_id=contact_id,
        display_name=NAMES[contact_id],
        relationship="friend",
        channels=(email(contact_id),),
        added_by=ALEX,
    )


def consent_requested(
    contact_id: ContactId = DANA,
    request_id: ConsentRequestId | None = None,
    expires_at: datetime = REQUEST_EXPIRES,
) -> ConsentRequested:
    """A consent request to ``contact_id``: their first (``REQUEST_IDS``) unless named."""
    return ConsentRequested(
        contact_id=contact_id,
        request_id=request_id or REQUEST_IDS[contact_id],
        expires_at=expires_at,
        contact_name=NAMES[contact_id],
        channels=(email(contact_id),),
        requested_by=ALEX,
        requested_by_name="Alex",
    )


def asked(contact_id: ContactId = DANA) -> list[PlanEvent]:
    """A contact added, and asked for consent by their first request."""
    return [contact_added(contact_id), consent_requested(contact_id)]


def consent_given(
    contact_id: ContactId = DANA, levels: tuple[Level, ...] = ALL_LEVELS
) -> ConsentGiven:
    """Consent to ``levels``, through the link of the contact's first request."""
    return ConsentGiven(
        contact_id=contact_id,
        scope=ConsentScope(levels=levels),
        at=NOW,
        request_id=REQUEST_IDS[contact_id],
    )


def consented(
    contact_id: ContactId = DANA, levels: tuple[Level, ...] = ALL_LEVELS
) -> list[PlanEvent]:
    """A contact added, asked, and consenting to ``levels``."""
    return [*asked(contact_id), consent_given(contact_id, levels)]


def policy_set(
    level: Level, *tiers: tuple[ContactId, ...], timeout: int = 300
) -> EscalationPolicySet:
    """A policy with one tier per tuple of contacts, all with the same ``timeout``."""
    return EscalationPolicySet(
        level=level,
        tiers=tuple(Tier(contact_ids=ids, ack_timeout_seconds=timeout) for ids in tiers),
    )


def activated(
    events: list[PlanEvent],
    activation_id: ActivationId = ACTIVATION_ID,
    level: Level = Level.SETBACK,
) -> PlanActivated:
    """The activation Alex would start on the plan after ``events``."""
    command = ActivatePlan(now=NOW, actor=ALEX, activation_id=activation_id, level=level)
    (event,) = decide(fold(events), command)
    assert isinstance(event, PlanActivated)
    return event


def resolved(activation_id: ActivationId = ACTIVATION_ID) -> ActivationResolved:
    return ActivationResolved(
        activation_id=activation_id,
        outcome=Outcome.RESOLVED,
        reflection="",
        resolved_by=ALEX,
        at=LATER,
    )
