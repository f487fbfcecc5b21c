"""The rules of erasing a participant or a support contact from a plan."""

import pytest

from contracts.erasure_events import ParticipantErased, SupportContactErased
from contracts.events import PlanEvent
from contracts.vocabulary import Level
from planner.domain.decide_erasure import decide_erasure
from planner.domain.erasure_commands import EraseParticipant, EraseSupportContact
from planner.domain.errors import (
    InvalidCommand,
    NotAPartner,
    NotFound,
    PlanNotFound,
    RuleViolated,
)
from planner.domain.evolve import fold
from tests.support.builders import (
    ALEX,
    BLAIR,
    CASEY,
    DANA,
    ELI,
    LATER,
    NOW,
    activated,
    consented,
    given,
    policy_set,
    resolved,
    two_partners,
)


def _with_activation(*, resolved_too: bool) -> list[PlanEvent]:
    events: list[PlanEvent] = [
        *two_partners(),
        *consented(DANA),
        policy_set(Level.SETBACK, (DANA,)),
    ]
    events.append(activated(events))
    if resolved_too:
        events.append(resolved())
    return events


def test_a_partner_erases_themself_and_the_other_keeps_the_plan() -> None:
    state = given(*two_partners())
    command = EraseParticipant(now=NOW, participant_id=BLAIR, by="self")
    assert decide_erasure(state, command) == [
        ParticipantErased(participant_id=BLAIR, at=NOW, by="self")
    ]


def test_erasing_someone_already_erased_decides_nothing() -> None:
    erased = ParticipantErased(participant_id=BLAIR, at=NOW, by="operator")
    state = given(*two_partners(), erased)
    assert decide_erasure(state, EraseParticipant(now=LATER, participant_id=BLAIR, by="self")) == []
    gone = SupportContactErased(contact_id=DANA, at=NOW, by="partner")
    state = given(*two_partners(), *consented(DANA), gone)
    command = EraseSupportContact(now=LATER, contact_id=DANA, by="operator")
    assert decide_erasure(state, command) == []


def test_an_open_request_for_help_is_resolved_before_anyone_is_erased() -> None:
    state = fold(_with_activation(resolved_too=False))
    with pytest.raises(RuleViolated, match="resolve it first") as raised:
        decide_erasure(state, EraseParticipant(now=LATER, participant_id=ALEX, by="self"))
    assert raised.value.rule == "activation_open"
    with pytest.raises(RuleViolated):
        decide_erasure(state, EraseSupportContact(now=LATER, contact_id=DANA, by="self"))

    state = fold(_with_activation(resolved_too=True))
    [event] = decide_erasure(state, EraseParticipant(now=LATER, participant_id=ALEX, by="self"))
    assert isinstance(event, ParticipantErased)


def test_a_contact_is_erased_by_a_partner_an_operator_or_themself() -> None:
    state = given(*two_partners(), *consented(DANA))
    for by, actor in (("partner", BLAIR), ("operator", None), ("self", None)):
        command = EraseSupportContact(now=NOW, contact_id=DANA, by=by, actor=actor)
        assert decide_erasure(state, command) == [
            SupportContactErased(contact_id=DANA, at=NOW, by=by)
        ]


def test_only_a_partner_of_the_plan_erases_its_contact_as_a_partner() -> None:
    state = given(*two_partners(), *consented(DANA))
    for actor in (CASEY, None):
        command = EraseSupportContact(now=NOW, contact_id=DANA, by="partner", actor=actor)
        with pytest.raises(NotAPartner):
            decide_erasure(state, command)


def test_unknown_people_plans_and_askers_are_refused() -> None:
    state = given(*two_partners(), *consented(DANA))
    with pytest.raises(NotFound):
        decide_erasure(state, EraseParticipant(now=NOW, participant_id=CASEY, by="operator"))
    with pytest.raises(NotFound):
        decide_erasure(state, EraseSupportContact(now=NOW, contact_id=ELI, by="operator"))
    with pytest.raises(PlanNotFound):
        decide_erasure(None, EraseParticipant(now=NOW, participant_id=ALEX, by="self"))
    with pytest.raises(InvalidCommand):
        decide_erasure(state, EraseParticipant(now=NOW, participant_id=ALEX, by="partner"))
    with pytest.raises(InvalidCommand):
        decide_erasure(state, EraseSupportContact(now=NOW, contact_id=DANA, by="someone"))
