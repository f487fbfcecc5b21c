"""The plan's decider: ``decide(state, command)`` returns the events a command causes, or raises.

Pure: ``now`` and every new id arrive on the command. Rules on support contacts, consent and
escalation live in ``decide_contacts``; activations and check-ins in ``decide_activations``.
"""

import re
from typing import Final, assert_never

from contracts.events import (
    PartnerInvited,
    PartnerJoined,
    PlanCreated,
    PlanEvent,
    ResponseStepAdded,
    ResponseStepRemoved,
    ResponseStepRevised,
    WarningSignAdded,
    WarningSignRetired,
    WarningSignRevised,
)
from planner.domain import decide_activations as activations
from planner.domain import decide_contacts as contacts
from planner.domain import decide_privacy as privacy
from planner.domain.commands import (
    AcceptInvite,
    AcknowledgeActivation,
    ActivatePlan,
    AddResponseStep,
    AddSupportContact,
    AddWarningSign,
    CreatePlan,
    DeclineConsent,
    GiveConsent,
    InvitePartner,
    NoticeConsentExpiry,
    PlanCommand,
    RecordCheckIn,
    RemoveResponseStep,
    RemoveSupportContact,
    RequestConsent,
    RequestSignInLink,
    ResolveActivation,
    RetireWarningSign,
    ReviseResponseStep,
    ReviseWarningSign,
    SetDisclosure,
    SetEscalationPolicy,
    WithdrawConsent,
)
from planner.domain.errors import (
    InvalidCommand,
    NotAPartner,
    NotFound,
    PlanAlreadyExists,
    PlanNotFound,
    RuleViolated,
)
from planner.domain.guards import active_sign_of, long_text, require_new, short_text, step_of
from planner.domain.state import MAX_PARTNERS, PlanState

# Commands only a partner may give. CreatePlan and AcceptInvite make their actor a partner;
# consent and acknowledgement come from contacts through signed links.
_PARTNER_ONLY: Final = (
    InvitePartner,
    AddWarningSign,
    ReviseWarningSign,
    RetireWarningSign,
    AddResponseStep,
    ReviseResponseStep,
    RemoveResponseStep,
    AddSupportContact,
    RequestConsent,
    SetDisclosure,
    RemoveSupportContact,
    SetEscalationPolicy,
    ActivatePlan,
    ResolveActivation,
    RecordCheckIn,
    RequestSignInLink,
)
_SHA256_HEX: Final = re.compile("[0-9a-f]{64}")


def decide(state: PlanState | None, command: PlanCommand) -> list[PlanEvent]:
    """The events ``command`` causes on the plan ``state`` (``None``: not created yet)."""
    if state is None:
        if isinstance(command, CreatePlan):
            return [_create_plan(command)]
        raise PlanNotFound()
    if isinstance(command, _PARTNER_ONLY) and not state.is_partner(command.actor):
        raise NotAPartner(command.actor)
    return _decide(state, command)


def _decide(state: PlanState, command: PlanCommand) -> list[PlanEvent]:  # noqa: PLR0912
    match command:
        case CreatePlan():
            raise PlanAlreadyExists(state.plan_id)
        case InvitePartner():
            return _invite_partner(state, command)
        case AcceptInvite():
            return _accept_invite(state, command)
        case AddWarningSign():
            return _add_sign(state, command)
        case ReviseWarningSign():
            return _revise_sign(state, command)
        case RetireWarningSign():
            active_sign_of(state, command.sign_id)
            return [WarningSignRetired(sign_id=command.sign_id)]
        case AddResponseStep():
            return _add_step(state, command)
        case ReviseResponseStep():
            return _revise_step(state, command)
        case RemoveResponseStep():
            step_of(state, command.step_id)
            return [ResponseStepRemoved(step_id=command.step_id)]
        case AddSupportContact():
            return contacts.add_contact(state, command)
        case RequestConsent():
            return contacts.request_consent(state, command)
        case GiveConsent():
            return contacts.give_consent(state, command)
        case DeclineConsent():
            return contacts.decline_consent(state, command)
        case WithdrawConsent():
            return contacts.withdraw_consent(state, command)
        case RemoveSupportContact():
            return contacts.remove_contact(state, command)
        case SetEscalationPolicy():
            return contacts.set_policy(state, command)
        case SetDisclosure():
            return privacy.set_disclosure(state, command)
        case NoticeConsentExpiry():
            return privacy.notice_expiry(state, command)
        case ActivatePlan():
            return activations.activate(state, command)
        case AcknowledgeActivation():
            return activations.acknowledge(state, command)
        case ResolveActivation():
            return activations.resolve(state, command)
        case RecordCheckIn():
            return activations.check_in(state, command)
        case RequestSignInLink():
            return activations.sign_in_link(command)
        case _:
            assert_never(command)


def _create_plan(command: CreatePlan) -> PlanEvent:
    return PlanCreated(
        plan_id=command.plan_id,
        title=short_text("title", command.title),
        created_by=command.actor,
        creator_name=command.actor_name,
    )


def _require_room(state: PlanState) -> None:
    if len(state.partners) >= MAX_PARTNERS:
        raise RuleViolated("plan_full", f"a plan has at most {MAX_PARTNERS} partners")


def _invite_partner(state: PlanState, command: InvitePartner) -> list[PlanEvent]:
    _require_room(state)
    require_new(state.invites, command.invite_id, "invite")
    # Checked here because the event's pattern is only enforced when the stream is read back.
    if not _SHA256_HEX.fullmatch(command.code_sha256):
        raise InvalidCommand("code_sha256", "code_sha256 must be 64 lowercase hex digits")
    invited = PartnerInvited(
        invite_id=command.invite_id,
        invited_by=command.actor,
        code_sha256=command.code_sha256,
        expires_at=command.expires_at,
    )
    return [invited]


def _accept_invite(state: PlanState, command: AcceptInvite) -> list[PlanEvent]:
    invites = state.invites.values()
    invite = next((i for i in invites if i.code_sha256 == command.code_sha256), None)
    if invite is None:
        raise NotFound("invite", "code")
    if invite.used:
        raise RuleViolated("invite_used", "this invite has already been used")
    if command.now >= invite.expires_at:
        raise RuleViolated("invite_expired", "this invite has expired")
    if state.is_partner(command.actor):
        raise RuleViolated("already_partner", "you are already a partner in this plan")
    _require_room(state)
    joined = PartnerJoined(
        invite_id=invite.invite_id, participant_id=command.actor, display_name=command.actor_name
    )
    return [joined]


def _add_sign(state: PlanState, command: AddWarningSign) -> list[PlanEvent]:
    if not state.is_partner(command.owner_id):
        raise InvalidCommand("owner_id", "a warning sign belongs to one of the plan's partners")
    require_new(state.signs, command.sign_id, "warning sign")
    added = WarningSignAdded(
        sign_id=command.sign_id,
        owner_id=command.owner_id,
        category=short_text("category", command.category),
        description=long_text("description", command.description, required=True),
        level=command.level,
    )
    return [added]


def _revise_sign(state: PlanState, command: ReviseWarningSign) -> list[PlanEvent]:
    sign = active_sign_of(state, command.sign_id)
    if command.category is None and command.description is None:
        raise InvalidCommand("category", "give a new category or description")
    category = sign.category
    if command.category is not None:
        category = short_text("category", command.category)
    description = sign.description
    if command.description is not None:
        description = long_text("description", command.description, required=True)
    if (category, description) == (sign.category, sign.description):
        return []
    return [WarningSignRevised(sign_id=sign.sign_id, category=category, description=description)]


def _add_step(state: PlanState, command: AddResponseStep) -> list[PlanEvent]:
    require_new(state.steps, command.step_id, "response step")
    description = long_text("description", command.description, required=True)
    return [
        ResponseStepAdded(step_id=command.step_id, level=command.level, description=description)
    ]


def _revise_step(state: PlanState, command: ReviseResponseStep) -> list[PlanEvent]:
    step = step_of(state, command.step_id)
    if command.level is None and command.description is None:
        raise InvalidCommand("description", "give a new level or description")
    level = step.level if command.level is None else command.level
    description = step.description
    if command.description is not None:
        description = long_text("description", command.description, required=True)
    if (level, description) == (step.level, step.description):
        return []
    return [ResponseStepRevised(step_id=step.step_id, level=level, description=description)]
