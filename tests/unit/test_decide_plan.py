"""Decider: creating a plan, who may edit it, and inviting the second partner."""

from collections.abc import Callable
from datetime import datetime

import pytest

from contracts.events import PartnerInvited, PartnerJoined, PlanCreated
from contracts.ids import ParticipantId
from contracts.vocabulary import Level, Outcome, Tier
from planner.domain.commands import (
    AcceptInvite,
    ActivatePlan,
    AddResponseStep,
    AddSupportContact,
    AddWarningSign,
    CreatePlan,
    InvitePartner,
    PlanCommand,
    RecordCheckIn,
    RemoveResponseStep,
    RemoveSupportContact,
    RequestConsent,
    ResolveActivation,
    RetireWarningSign,
    ReviseResponseStep,
    ReviseWarningSign,
    SetEscalationPolicy,
)
from planner.domain.decide import decide
from planner.domain.errors import (
    InvalidCommand,
    NotAPartner,
    NotFound,
    PlanAlreadyExists,
    PlanNotFound,
    RuleViolated,
)
from tests.support.builders import (
    ACTIVATION_ID,
    ALEX,
    BLAIR,
    CASEY,
    CHECK_IN_ID,
    CODE_SHA256,
    DANA,
    INVITE_EXPIRES,
    INVITE_ID,
    NOW,
    OTHER_CODE_SHA256,
    OTHER_INVITE_ID,
    OTHER_REQUEST_ID,
    PLAN_ID,
    REQUEST_EXPIRES,
    REQUEST_IDS,
    SIGN_ID,
    STEP_ID,
    email,
    given,
    partner_invited,
    partner_joined,
    plan_created,
    solo_plan,
    two_partners,
)


def create_plan(title: str = "Our plan") -> CreatePlan:
    return CreatePlan(now=NOW, plan_id=PLAN_ID, title=title, actor=ALEX, actor_name="Alex")


def invite(code_sha256: str = OTHER_CODE_SHA256) -> InvitePartner:
    return InvitePartner(
        now=NOW,
        actor=ALEX,
        invite_id=OTHER_INVITE_ID,
        code_sha256=code_sha256,
        expires_at=INVITE_EXPIRES,
    )


def accept(
    code_sha256: str = CODE_SHA256, actor: ParticipantId = BLAIR, now: datetime = NOW
) -> AcceptInvite:
    return AcceptInvite(now=now, actor=actor, actor_name="Blair", code_sha256=code_sha256)


def test_creating_a_plan_makes_its_creator_the_first_partner() -> None:
    assert decide(None, create_plan()) == [
        PlanCreated(plan_id=PLAN_ID, title="Our plan", created_by=ALEX, creator_name="Alex")
    ]


def test_a_plan_cannot_be_created_twice() -> None:
    with pytest.raises(PlanAlreadyExists):
        decide(given(plan_created()), create_plan())


def test_a_plan_needs_a_title() -> None:
    with pytest.raises(InvalidCommand) as raised:
        decide(None, create_plan(title="   "))
    assert raised.value.field == "title"


def test_any_other_command_on_a_missing_plan_finds_no_plan() -> None:
    with pytest.raises(PlanNotFound):
        decide(None, invite())


# One command of each kind only a partner may give, made by ``actor``.
PARTNER_ONLY: list[Callable[[ParticipantId], PlanCommand]] = [
    lambda a: InvitePartner(
        now=NOW, actor=a, invite_id=OTHER_INVITE_ID, code_sha256="c" * 64, expires_at=NOW
    ),
    lambda a: AddWarningSign(
        now=NOW, actor=a, sign_id=SIGN_ID, owner_id=ALEX, category="c", description="d"
    ),
    lambda a: ReviseWarningSign(now=NOW, actor=a, sign_id=SIGN_ID, category="c"),
    lambda a: RetireWarningSign(now=NOW, actor=a, sign_id=SIGN_ID),
    lambda a: AddResponseStep(
        now=NOW, actor=a, step_id=STEP_ID, level=Level.WATCH, description="d"
    ),
    lambda a: ReviseResponseStep(now=NOW, actor=a, step_id=STEP_ID, description="d"),
    lambda a: RemoveResponseStep(now=NOW, actor=a, step_id=STEP_ID),
    lambda a: AddSupportContact(
        now=NOW,
        actor=a,
        contact_id=DANA,
        display_name="Dana",
        relationship="friend",
        channels=(email(DANA),),
        request_id=REQUEST_IDS[DANA],
        request_expires_at=REQUEST_EXPIRES,
    ),
    lambda a: RequestConsent(
        now=NOW, actor=a, contact_id=DANA, request_id=OTHER_REQUEST_ID, expires_at=REQUEST_EXPIRES
    ),
    lambda a: RemoveSupportContact(now=NOW, actor=a, contact_id=DANA),
    lambda a: SetEscalationPolicy(
        now=NOW,
        actor=a,
        level=Level.CRISIS,
        tiers=(Tier(contact_ids=(DANA,), ack_timeout_seconds=60),),
    ),
    lambda a: ActivatePlan(now=NOW, actor=a, activation_id=ACTIVATION_ID, level=Level.CRISIS),
    lambda a: ResolveActivation(
        now=NOW, actor=a, activation_id=ACTIVATION_ID, outcome=Outcome.RESOLVED
    ),
    lambda a: RecordCheckIn(now=NOW, actor=a, check_in_id=CHECK_IN_ID, mood=3, craving=2),
]


@pytest.mark.parametrize("make", PARTNER_ONLY)
def test_only_a_partner_may_edit_the_plan(make: Callable[[ParticipantId], PlanCommand]) -> None:
    with pytest.raises(NotAPartner) as raised:
        decide(given(*two_partners()), make(CASEY))
    assert raised.value.participant_id == CASEY


def test_a_partner_invites_the_other_partner() -> None:
    assert decide(given(*solo_plan()), invite()) == [
        PartnerInvited(
            invite_id=OTHER_INVITE_ID,
            invited_by=ALEX,
            code_sha256=OTHER_CODE_SHA256,
            expires_at=INVITE_EXPIRES,
        )
    ]


def test_a_plan_with_two_partners_invites_nobody_else() -> None:
    with pytest.raises(RuleViolated) as raised:
        decide(given(*two_partners()), invite())
    assert raised.value.rule == "plan_full"


def test_an_invite_code_must_be_a_sha256_digest() -> None:
    with pytest.raises(InvalidCommand) as raised:
        decide(given(*solo_plan()), invite(code_sha256="not-a-digest"))
    assert raised.value.field == "code_sha256"


def test_an_invite_id_is_used_once() -> None:
    state = given(plan_created(), partner_invited(invite_id=OTHER_INVITE_ID))
    with pytest.raises(RuleViolated) as raised:
        decide(state, invite())
    assert raised.value.rule == "duplicate_id"


def test_accepting_an_invite_makes_a_stranger_the_second_partner() -> None:
    assert decide(given(plan_created(), partner_invited()), accept()) == [
        PartnerJoined(invite_id=INVITE_ID, participant_id=BLAIR, display_name="Blair")
    ]


def test_an_unknown_invite_code_is_not_found() -> None:
    with pytest.raises(NotFound) as raised:
        decide(given(plan_created(), partner_invited()), accept(code_sha256=OTHER_CODE_SHA256))
    assert raised.value.kind == "invite"


def test_an_invite_is_used_only_once() -> None:
    with pytest.raises(RuleViolated) as raised:
        decide(given(*two_partners()), accept(actor=CASEY))
    assert raised.value.rule == "invite_used"


def test_an_invite_expires_at_its_expiry_time() -> None:
    state = given(plan_created(), partner_invited())
    with pytest.raises(RuleViolated) as raised:
        decide(state, accept(now=INVITE_EXPIRES))
    assert raised.value.rule == "invite_expired"


def test_a_partner_cannot_accept_their_own_invite() -> None:
    with pytest.raises(RuleViolated) as raised:
        decide(given(plan_created(), partner_invited()), accept(actor=ALEX))
    assert raised.value.rule == "already_partner"


def test_a_spare_invite_cannot_add_a_third_partner() -> None:
    state = given(
        plan_created(),
        partner_invited(),
        partner_invited(invite_id=OTHER_INVITE_ID, code_sha256=OTHER_CODE_SHA256),
        partner_joined(),
    )
    with pytest.raises(RuleViolated) as raised:
        decide(state, accept(code_sha256=OTHER_CODE_SHA256, actor=CASEY))
    assert raised.value.rule == "plan_full"
