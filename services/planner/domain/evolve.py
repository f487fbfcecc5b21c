"""Fold events into state. Events are facts: evolve applies them and never re-checks rules."""

from collections.abc import Iterable
from typing import assert_never

from msgspec.structs import replace

from contracts.delivery_events import ActivationEscalated, AlertDeliveryRecorded
from contracts.erasure_events import ParticipantErased, SupportContactErased
from contracts.events import (
    ActivationAcknowledged,
    ActivationResolved,
    CheckInRecorded,
    PartnerInvited,
    PartnerJoined,
    PlanActivated,
    PlanCreated,
    PlanEvent,
    ResponseStepAdded,
    ResponseStepRemoved,
    ResponseStepRevised,
    SignInLinkRequested,
    WarningSignAdded,
    WarningSignRetired,
    WarningSignRevised,
)
from contracts.support_events import EscalationPolicySet
from planner.domain.delivery_log import with_delivery, with_escalation
from planner.domain.evolve_contacts import ContactEvent, apply_contact_event
from planner.domain.evolve_erasure import apply_erasure
from planner.domain.state import (
    Acknowledgement,
    Activation,
    CheckIn,
    Invite,
    Partner,
    PlanState,
    ResponseStep,
    WarningSign,
)


def evolve(state: PlanState | None, event: PlanEvent) -> PlanState:
    """The state after ``event``. ``version`` counts the events applied so far."""
    if state is None:
        if not isinstance(event, PlanCreated):
            raise ValueError(f"a plan's stream must start with plan.created, not {type(event)}")
        return PlanState(
            plan_id=event.plan_id,
            title=event.title,
            version=1,
            partners=(Partner(participant_id=event.created_by, display_name=event.creator_name),),
        )
    return replace(_apply(state, event), version=state.version + 1)


def fold(events: Iterable[PlanEvent], state: PlanState | None = None) -> PlanState | None:
    for event in events:
        state = evolve(state, event)
    return state


def _apply(state: PlanState, event: PlanEvent) -> PlanState:  # noqa: PLR0912 - one arm per event
    if isinstance(event, ContactEvent):
        return apply_contact_event(state, event)
    match event:
        case PlanCreated():
            raise ValueError(f"plan {state.plan_id} was already created")
        case PartnerInvited():
            return _invited(state, event)
        case PartnerJoined():
            return _joined(state, event)
        case WarningSignAdded():
            sign = WarningSign(
                sign_id=event.sign_id,
                owner_id=event.owner_id,
                category=event.category,
                description=event.description,
                level=event.level,
            )
            return replace(state, signs={**state.signs, event.sign_id: sign})
        case WarningSignRevised():
            revised = replace(
                state.signs[event.sign_id], category=event.category, description=event.description
            )
            return replace(state, signs={**state.signs, event.sign_id: revised})
        case WarningSignRetired():
            retired = replace(state.signs[event.sign_id], retired=True)
            return replace(state, signs={**state.signs, event.sign_id: retired})
        case ResponseStepAdded() | ResponseStepRevised():
            step = ResponseStep(
                step_id=event.step_id, level=event.level, description=event.description
            )
            return replace(state, steps={**state.steps, event.step_id: step})
        case ResponseStepRemoved():
            steps = {k: v for k, v in state.steps.items() if k != event.step_id}
            return replace(state, steps=steps)
        case EscalationPolicySet():
            return replace(state, policies={**state.policies, event.level: event.tiers})
        case PlanActivated():
            return _activated(state, event)
        case ActivationAcknowledged():
            return _acknowledged(state, event)
        case ActivationResolved():
            return _resolved(state, event)
        case CheckInRecorded():
            return _checked_in(state, event)
        case AlertDeliveryRecorded():
            return _delivered(state, event)
        case ActivationEscalated():
            return _escalated(state, event)
        case SignInLinkRequested():
            return state  # the message is the whole of it; the link is never kept
        case ParticipantErased() | SupportContactErased():
            return apply_erasure(state, event)
        case _:
            assert_never(event)


def _invited(state: PlanState, event: PartnerInvited) -> PlanState:
    invite = Invite(
        invite_id=event.invite_id, code_sha256=event.code_sha256, expires_at=event.expires_at
    )
    return replace(state, invites={**state.invites, event.invite_id: invite})


def _joined(state: PlanState, event: PartnerJoined) -> PlanState:
    used = replace(state.invites[event.invite_id], used=True)
    partner = Partner(participant_id=event.participant_id, display_name=event.display_name)
    return replace(
        state,
        invites={**state.invites, event.invite_id: used},
        partners=(*state.partners, partner),
    )


def _activated(state: PlanState, event: PlanActivated) -> PlanState:
    activation = Activation(
        activation_id=event.activation_id,
        level=event.level,
        activated_by=event.activated_by,
        observed_sign_ids=event.observed_sign_ids,
        note=event.note,
        recipients=event.recipients,
        tiers=event.tiers,
        activated_at=event.at,
        activator_channels=event.activator_channels,
    )
    return replace(state, activations={**state.activations, event.activation_id: activation})


def _acknowledged(state: PlanState, event: ActivationAcknowledged) -> PlanState:
    activation = state.activations[event.activation_id]
    ack = Acknowledgement(by=event.by, at=event.at)
    updated = replace(activation, acknowledgements=(*activation.acknowledgements, ack))
    return replace(state, activations={**state.activations, event.activation_id: updated})


def _resolved(state: PlanState, event: ActivationResolved) -> PlanState:
    resolved = replace(
        state.activations[event.activation_id],
        outcome=event.outcome,
        reflection=event.reflection,
        resolved_by=event.resolved_by,
        resolved_at=event.at,
    )
    return replace(state, activations={**state.activations, event.activation_id: resolved})


def _checked_in(state: PlanState, event: CheckInRecorded) -> PlanState:
    check_in = CheckIn(
        check_in_id=event.check_in_id,
        participant_id=event.participant_id,
        mood=event.mood,
        craving=event.craving,
        note=event.note,
        signs_noticed=event.signs_noticed,
        at=event.at,
    )
    return replace(state, check_ins=(*state.check_ins, check_in))


def _delivered(state: PlanState, event: AlertDeliveryRecorded) -> PlanState:
    # Only stores written before delivery streams have these on the plan's stream.
    if event.activation_id is None:
        return state  # a consent request: its history is the event itself
    updated = with_delivery(state.activations[event.activation_id], event)
    return replace(state, activations={**state.activations, event.activation_id: updated})


def _escalated(state: PlanState, event: ActivationEscalated) -> PlanState:
    updated = with_escalation(state.activations[event.activation_id], event)
    return replace(state, activations={**state.activations, event.activation_id: updated})
