"""Decider: warning signs and response steps."""

import pytest

from contracts.events import (
    ResponseStepAdded,
    ResponseStepRemoved,
    ResponseStepRevised,
    WarningSignAdded,
    WarningSignRetired,
    WarningSignRevised,
)
from contracts.ids import ParticipantId
from contracts.vocabulary import Level
from planner.domain.commands import (
    AddResponseStep,
    AddWarningSign,
    RemoveResponseStep,
    RetireWarningSign,
    ReviseResponseStep,
    ReviseWarningSign,
)
from planner.domain.decide import decide
from planner.domain.errors import InvalidCommand, NotFound, RuleViolated
from tests.support.builders import (
    BLAIR,
    CASEY,
    NOW,
    SIGN_ID,
    STEP_ID,
    given,
    sign_added,
    sign_retired,
    step_added,
    two_partners,
)


def add_sign(
    category: str = "sleep", description: str = "Up past 3am", owner_id: ParticipantId = BLAIR
) -> AddWarningSign:
    return AddWarningSign(
        now=NOW,
        actor=BLAIR,
        sign_id=SIGN_ID,
        owner_id=owner_id,
        category=category,
        description=description,
    )


def revise_sign(category: str | None = None, description: str | None = None) -> ReviseWarningSign:
    return ReviseWarningSign(
        now=NOW, actor=BLAIR, sign_id=SIGN_ID, category=category, description=description
    )


def revise_step(level: Level | None = None, description: str | None = None) -> ReviseResponseStep:
    return ReviseResponseStep(
        now=NOW, actor=BLAIR, step_id=STEP_ID, level=level, description=description
    )


def test_a_partner_adds_a_warning_sign_for_either_partner_with_text_trimmed() -> None:
    assert decide(given(*two_partners()), add_sign(category="  sleep ")) == [
        WarningSignAdded(
            level=Level.WATCH,
            sign_id=SIGN_ID,
            owner_id=BLAIR,
            category="sleep",
            description="Up past 3am",
        )
    ]


def test_a_warning_sign_belongs_to_a_partner() -> None:
    with pytest.raises(InvalidCommand) as raised:
        decide(given(*two_partners()), add_sign(owner_id=CASEY))
    assert raised.value.field == "owner_id"


def test_a_warning_sign_id_is_used_once() -> None:
    with pytest.raises(RuleViolated) as raised:
        decide(given(*two_partners(), sign_added()), add_sign())
    assert raised.value.rule == "duplicate_id"


@pytest.mark.parametrize(
    ("category", "description", "field"),
    [
        (" ", "Up past 3am", "category"),
        ("sleep", "\n", "description"),
        ("x" * 201, "d", "category"),
    ],
)
def test_a_warning_sign_needs_a_short_category_and_a_description(
    category: str, description: str, field: str
) -> None:
    with pytest.raises(InvalidCommand) as raised:
        decide(given(*two_partners()), add_sign(category=category, description=description))
    assert raised.value.field == field


def test_revising_a_sign_keeps_what_is_not_revised() -> None:
    assert decide(given(*two_partners(), sign_added()), revise_sign(category="mood")) == [
        WarningSignRevised(sign_id=SIGN_ID, category="mood", description="Up past 3am")
    ]


def test_revising_an_unknown_sign_finds_nothing() -> None:
    with pytest.raises(NotFound) as raised:
        decide(given(*two_partners()), revise_sign(category="mood"))
    assert (raised.value.kind, raised.value.item_id) == ("warning sign", SIGN_ID)


def test_a_retired_sign_cannot_be_revised() -> None:
    with pytest.raises(RuleViolated) as raised:
        decide(given(*two_partners(), sign_added(), sign_retired()), revise_sign(category="mood"))
    assert raised.value.rule == "sign_retired"


def test_a_revision_revises_something() -> None:
    with pytest.raises(InvalidCommand):
        decide(given(*two_partners(), sign_added()), revise_sign())


def test_a_revised_category_cannot_be_blank() -> None:
    with pytest.raises(InvalidCommand) as raised:
        decide(given(*two_partners(), sign_added()), revise_sign(category=" "))
    assert raised.value.field == "category"


def test_a_revision_that_changes_nothing_records_nothing() -> None:
    state = given(*two_partners(), sign_added())
    assert decide(state, revise_sign(category="sleep", description="Up past 3am")) == []


def test_a_partner_retires_a_sign() -> None:
    command = RetireWarningSign(now=NOW, actor=BLAIR, sign_id=SIGN_ID)
    assert decide(given(*two_partners(), sign_added()), command) == [
        WarningSignRetired(sign_id=SIGN_ID)
    ]


def test_retiring_an_unknown_sign_finds_nothing() -> None:
    with pytest.raises(NotFound):
        decide(given(*two_partners()), RetireWarningSign(now=NOW, actor=BLAIR, sign_id=SIGN_ID))


def test_a_sign_is_retired_once() -> None:
    state = given(*two_partners(), sign_added(), sign_retired())
    with pytest.raises(RuleViolated) as raised:
        decide(state, RetireWarningSign(now=NOW, actor=BLAIR, sign_id=SIGN_ID))
    assert raised.value.rule == "sign_retired"


def test_a_partner_adds_a_response_step_for_a_level() -> None:
    command = AddResponseStep(
        now=NOW, actor=BLAIR, step_id=STEP_ID, level=Level.CRISIS, description=" Call 988 "
    )
    assert decide(given(*two_partners()), command) == [
        ResponseStepAdded(step_id=STEP_ID, level=Level.CRISIS, description="Call 988")
    ]


def test_a_response_step_needs_a_description() -> None:
    command = AddResponseStep(
        now=NOW, actor=BLAIR, step_id=STEP_ID, level=Level.CRISIS, description=""
    )
    with pytest.raises(InvalidCommand) as raised:
        decide(given(*two_partners()), command)
    assert raised.value.field == "description"


def test_a_response_step_id_is_used_once() -> None:
    command = AddResponseStep(
        now=NOW, actor=BLAIR, step_id=STEP_ID, level=Level.CRISIS, description="Call 988"
    )
    with pytest.raises(RuleViolated) as raised:
        decide(given(*two_partners(), step_added()), command)
    assert raised.value.rule == "duplicate_id"


def test_revising_a_step_keeps_what_is_not_revised() -> None:
    assert decide(given(*two_partners(), step_added()), revise_step(level=Level.SETBACK)) == [
        ResponseStepRevised(step_id=STEP_ID, level=Level.SETBACK, description="Call the sponsor")
    ]


def test_revising_an_unknown_step_finds_nothing() -> None:
    with pytest.raises(NotFound) as raised:
        decide(given(*two_partners()), revise_step(level=Level.SETBACK))
    assert raised.value.kind == "response step"


def test_a_step_revision_revises_something() -> None:
    with pytest.raises(InvalidCommand):
        decide(given(*two_partners(), step_added()), revise_step())


def test_a_step_revision_that_changes_nothing_records_nothing() -> None:
    state = given(*two_partners(), step_added())
    assert decide(state, revise_step(level=Level.WATCH, description="Call the sponsor")) == []


def test_a_partner_removes_a_response_step() -> None:
    command = RemoveResponseStep(now=NOW, actor=BLAIR, step_id=STEP_ID)
    assert decide(given(*two_partners(), step_added()), command) == [
        ResponseStepRemoved(step_id=STEP_ID)
    ]


def test_a_removed_step_cannot_be_removed_again() -> None:
    state = given(*two_partners(), step_added(), ResponseStepRemoved(step_id=STEP_ID))
    with pytest.raises(NotFound) as raised:
        decide(state, RemoveResponseStep(now=NOW, actor=BLAIR, step_id=STEP_ID))
    assert raised.value.kind == "response step"
