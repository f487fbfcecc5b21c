"""Erasing a person from a plan: the rules.

The erasure commands are a union of their own (``ErasureCommand``), decided here on the
plan's state like any command, and run by ``planner.erasure``, which also removes what the
read models hold of the person in the same transaction.

A person is erased while nothing is under way: an open request for help was sent with
their name, signs or addresses and is still being answered, so it is resolved first.
Erasing someone already erased decides nothing, so a repeated erasure is harmless.
"""

from typing import assert_never

from contracts.erasure_events import ParticipantErased, SupportContactErased
from contracts.events import PlanEvent
from planner.domain.erasure_commands import (
    EraseParticipant,
    EraseSupportContact,
    ErasureCommand,
)
from planner.domain.errors import (
    InvalidCommand,
    NotAPartner,
    NotFound,
    PlanNotFound,
    RuleViolated,
)
from planner.domain.state import PlanState

BY_PARTICIPANT = frozenset({"self", "operator"})
BY_CONTACT = frozenset({"partner", "operator", "self"})


def decide_erasure(state: PlanState | None, command: ErasureCommand) -> list[PlanEvent]:
    """The events erasing the person from the plan ``state``."""
    if state is None:
        raise PlanNotFound()
    match command:
        case EraseParticipant():
            return erase_participant(state, command)
        case EraseSupportContact():
            return erase_contact(state, command)
        case _:
            assert_never(command)


def erase_participant(state: PlanState, command: EraseParticipant) -> list[PlanEvent]:
    if command.by not in BY_PARTICIPANT:
        raise InvalidCommand("by", "a participant is erased by themself or an operator")
    if command.participant_id in state.erased:
        return []
    if not state.is_partner(command.participant_id):
        raise NotFound("participant", command.participant_id)
    _require_nothing_open(state)
    return [ParticipantErased(participant_id=command.participant_id, at=command.now, by=command.by)]


def erase_contact(state: PlanState, command: EraseSupportContact) -> list[PlanEvent]:
    if command.by not in BY_CONTACT:
        raise InvalidCommand("by", "a contact is erased by a partner, an operator or themself")
    if command.by == "partner" and (command.actor is None or not state.is_partner(command.actor)):
        raise NotAPartner(command.actor or command.contact_id)
    if command.contact_id in state.erased:
        return []
    if command.contact_id not in state.contacts:
        raise NotFound("support contact", command.contact_id)
    _require_nothing_open(state)
    return [SupportContactErased(contact_id=command.contact_id, at=command.now, by=command.by)]


def _require_nothing_open(state: PlanState) -> None:
    if any(activation.is_open for activation in state.activations.values()):
        raise RuleViolated(
            "activation_open",
            "a request for help is still open on this plan: resolve it first, then erase",
        )
