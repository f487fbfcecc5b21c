"""The text of a person a plan holds, looked for in stored answers before they are erased."""

from contracts.events import CheckInRecorded, PlanEvent
from contracts.vocabulary import Level
from planner.domain.erased_text import of_contact, of_participant
from tests.support.builders import (
    ALEX,
    BLAIR,
    CHECK_IN_ID,
    DANA,
    ELI,
    NOW,
    activated,
    consented,
    given,
    policy_set,
    resolved,
    sign_added,
    two_partners,
)


def _plan() -> list[PlanEvent]:
    events: list[PlanEvent] = [
        *two_partners(),
        sign_added(owner_id=ALEX),
        *consented(DANA),
        policy_set(Level.SETBACK, (DANA,)),
        CheckInRecorded(
            check_in_id=CHECK_IN_ID,
            participant_id=ALEX,
            mood=2,
            craving=5,
            note="Alex checked in",
            signs_noticed=(),
            at=NOW,
        ),
    ]
    return [*events, activated(events), resolved()]


def test_a_participants_text_is_their_name_what_they_wrote_and_how_they_were_reached() -> None:
    state = given(*_plan())
    alex = of_participant(state, ALEX)
    sign = next(iter(state.signs.values()))
    assert {"Alex", "Alex checked in", sign.description} <= alex
    assert not {d for d in alex if "dana" in d.lower()}
    blair = of_participant(state, BLAIR)
    assert sign.description not in blair
    assert "Alex checked in" not in blair


def test_a_contacts_text_is_their_name_and_addresses_also_as_an_activation_froze_them() -> None:
    state = given(*_plan())
    assert of_contact(state, DANA) == {"Dana", "dana@example.org"}
    assert of_contact(state, ELI) == set()


def test_texts_too_short_to_identify_anyone_are_not_looked_for() -> None:
    state = given(*two_partners(), *consented(ELI))
    assert of_contact(state, ELI) == {"eli@example.org"}  # "Eli" would match nearly anything
