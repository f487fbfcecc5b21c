"""Decisions on activations (start, acknowledge, resolve), check-ins and sign-in links."""

from typing import Final

from contracts.events import (
    ActivationAcknowledged,
    ActivationResolved,
    CheckInRecorded,
    PlanActivated,
    PlanEvent,
    SignInLinkRequested,
)
from contracts.ids import SignId
from planner.domain.commands import (
    AcknowledgeActivation,
    ActivatePlan,
    RecordCheckIn,
    RequestSignInLink,
    ResolveActivation,
)
from planner.domain.errors import InvalidCommand, NotARecipient, NotFound, RuleViolated
from planner.domain.guards import long_text, open_activation_of, require_new, sign_of
from planner.domain.recipients import resolve_recipients
from planner.domain.state import PlanState

MOOD_RANGE: Final = range(1, 6)
CRAVING_RANGE: Final = range(11)


def activate(state: PlanState, command: ActivatePlan) -> list[PlanEvent]:
    if any(a.is_open and a.level == command.level for a in state.activations.values()):
        raise RuleViolated("activation_open", f"a {command.level} activation is already open")
    require_new(state.activations, command.activation_id, "activation")
    for sign_id in command.observed_sign_ids:
        _require_active_sign(state, sign_id)
    recipients, tiers = resolve_recipients(
        state,
        command.level,
        command.actor,
        command.now,
        command.partner_channels,
        command.do_not_involve,
    )
    activator = next(p for p in state.partners if p.participant_id == command.actor)
    if not recipients:
        raise RuleViolated(
            "no_reachable_recipient",
            "nobody can be alerted: invite your partner or ask a contact for consent",
        )
    activated = PlanActivated(
        activation_id=command.activation_id,
        level=command.level,
        activated_by=command.actor,
        observed_sign_ids=command.observed_sign_ids,
        note=long_text("note", command.note),
        recipients=recipients,
        tiers=tiers,
        at=command.now,
        activator_name=activator.display_name,
        activator_channels=command.partner_channels.get(command.actor, ()),
    )
    return [activated]


def _require_active_sign(state: PlanState, sign_id: SignId) -> None:
    # A retired sign cannot be observed any more: to the caller it no longer exists.
    if sign_of(state, sign_id).retired:
        raise NotFound("warning sign", sign_id)


def acknowledge(state: PlanState, command: AcknowledgeActivation) -> list[PlanEvent]:
    activation = open_activation_of(state, command.activation_id)
    if all(r.recipient_id != command.by for r in activation.recipients):
        raise NotARecipient(command.activation_id, command.by)
    if any(ack.by == command.by for ack in activation.acknowledgements):
        return []
    return [
        ActivationAcknowledged(activation_id=command.activation_id, by=command.by, at=command.now)
    ]


def resolve(state: PlanState, command: ResolveActivation) -> list[PlanEvent]:
    open_activation_of(state, command.activation_id)
    resolved = ActivationResolved(
        activation_id=command.activation_id,
        outcome=command.outcome,
        reflection=long_text("reflection", command.reflection),
        resolved_by=command.actor,
        at=command.now,
    )
    return [resolved]


def check_in(state: PlanState, command: RecordCheckIn) -> list[PlanEvent]:
    if command.mood not in MOOD_RANGE:
        raise InvalidCommand("mood", "mood is from 1 to 5")
    if command.craving not in CRAVING_RANGE:
        raise InvalidCommand("craving", "craving is from 0 to 10")
    require_new({c.check_in_id for c in state.check_ins}, command.check_in_id, "check-in")
    for sign_id in command.signs_noticed:
        sign_of(state, sign_id)
    recorded = CheckInRecorded(
        check_in_id=command.check_in_id,
        participant_id=command.actor,
        mood=command.mood,
        craving=command.craving,
        note=long_text("note", command.note),
        signs_noticed=command.signs_noticed,
        at=command.now,
    )
    return [recorded]


def sign_in_link(command: RequestSignInLink) -> list[PlanEvent]:
    """A partner's sign-in link for another device: the plan's history says it was sent."""
    return [
        SignInLinkRequested(
            participant_id=command.actor,
            link_id=command.link_id,
            display_name=command.display_name,
            channel=command.channel,
            expires_at=command.expires_at,
        )
    ]
