"""Decider: check-ins."""

import pytest

from contracts.events import CheckInRecorded
from contracts.ids import SignId
from planner.domain.commands import RecordCheckIn
from planner.domain.decide import decide
from planner.domain.errors import InvalidCommand, NotFound, RuleViolated
from tests.support.builders import (
    BLAIR,
    CHECK_IN_ID,
    NOW,
    SIGN_ID,
    given,
    sign_added,
    sign_retired,
    two_partners,
)


def check_in(mood: int = 3, craving: int = 2, signs: tuple[SignId, ...] = ()) -> RecordCheckIn:
    return RecordCheckIn(
        now=NOW,
        actor=BLAIR,
        check_in_id=CHECK_IN_ID,
        mood=mood,
        craving=craving,
        note="ok",
        signs_noticed=signs,
    )


def test_a_partner_records_a_check_in_as_themselves() -> None:
    state = given(*two_partners(), sign_added(), sign_retired())
    assert decide(state, check_in(mood=1, craving=10, signs=(SIGN_ID,))) == [
        CheckInRecorded(
            check_in_id=CHECK_IN_ID,
            participant_id=BLAIR,
            mood=1,
            craving=10,
            note="ok",
            signs_noticed=(SIGN_ID,),
            at=NOW,
        )
    ]


@pytest.mark.parametrize(
    ("mood", "craving", "field"),
    [(0, 0, "mood"), (6, 0, "mood"), (5, -1, "craving"), (5, 11, "craving")],
)
def test_a_check_in_has_a_mood_from_1_to_5_and_a_craving_from_0_to_10(
    mood: int, craving: int, field: str
) -> None:
    with pytest.raises(InvalidCommand) as raised:
        decide(given(*two_partners()), check_in(mood=mood, craving=craving))
    assert raised.value.field == field


def test_a_check_in_notices_only_known_signs() -> None:
    with pytest.raises(NotFound) as raised:
        decide(given(*two_partners()), check_in(signs=(SIGN_ID,)))
    assert raised.value.kind == "warning sign"


def test_a_check_in_id_is_used_once() -> None:
    state = given(*two_partners(), *decide(given(*two_partners()), check_in()))
    with pytest.raises(RuleViolated) as raised:
        decide(state, check_in())
    assert raised.value.rule == "duplicate_id"
