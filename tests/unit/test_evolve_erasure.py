"""Erasure events fold into a state without the erased person's text."""

from contracts.erasure_events import ERASED, ParticipantErased, SupportContactErased
from contracts.events import CheckInRecorded, PlanEvent
from contracts.support_events import DisclosureChosen
from contracts.vocabulary import DisclosureChoice, Level
from planner.domain.evolve import fold
from planner.domain.state import PlanState
from tests.support.builders import (
    ACTIVATION_ID,
    ALEX,
    BLAIR,
    CHECK_IN_ID,
    DANA,
    ELI,
    LATER,
    NOW,
    SIGN_ID,
    activated,
    consented,
    policy_set,
    resolved,
    sign_added,
    two_partners,
)


def _journey() -> list[PlanEvent]:
    events: list[PlanEvent] = [
        *two_partners(),
        sign_added(owner_id=ALEX),
        *consented(DANA),
        *consented(ELI),
        policy_set(Level.SETBACK, (DANA, ELI)),
        DisclosureChosen(
            contact_id=DANA, partner_id=BLAIR, choice=DisclosureChoice(alert=True), at=NOW
        ),
        CheckInRecorded(
            check_in_id=CHECK_IN_ID,
            participant_id=ALEX,
            mood=2,
            craving=6,
            note="Alex's own note",
            signs_noticed=(SIGN_ID,),
            at=NOW,
        ),
    ]
    events.append(activated(events))
    events.append(resolved())
    return events


def _state(*events: PlanEvent) -> PlanState:
    state = fold(events)
    assert state is not None
    return state


def test_an_erased_partner_leaves_the_plan_and_their_text_reads_erased() -> None:
    before = _state(*_journey())
    erased = ParticipantErased(participant_id=ALEX, at=LATER, by="self")
    state = _state(*_journey(), erased)

    assert [p.participant_id for p in state.partners] == [BLAIR]
    assert state.erased == (ALEX,)
    sign = state.signs[SIGN_ID]
    assert (sign.description, sign.category, sign.retired) == (ERASED, ERASED, True)
    assert state.check_ins == ()
    activation = state.activations[ACTIVATION_ID]
    assert before.activations[ACTIVATION_ID].note != ERASED
    assert (activation.note, activation.reflection, activation.activator_channels) == (
        ERASED,
        ERASED,
        (),
    )
    # Blair's own choice about Dana stays; Alex's is gone.
    assert set(state.contacts[DANA].disclosures) == {BLAIR}
    assert state.version == before.version + 1


def test_an_erased_contact_is_removed_and_reads_erased_also_where_an_activation_froze_them() -> (
    None
):
    state = _state(*_journey(), SupportContactErased(contact_id=DANA, at=LATER, by="partner"))

    dana = state.contacts[DANA]
    assert (dana.display_name, dana.relationship, dana.channels, dana.removed) == (
        ERASED,
        ERASED,
        (),
        True,
    )
    [frozen] = [r for r in state.activations[ACTIVATION_ID].recipients if r.recipient_id == DANA]
    assert (frozen.display_name, frozen.channels) == (ERASED, ())
    [eli] = [r for r in state.activations[ACTIVATION_ID].recipients if r.recipient_id == ELI]
    assert eli.display_name != ERASED
    assert eli.channels
    assert state.contacts[ELI].display_name != ERASED
    assert state.erased == (DANA,)


def test_the_erasure_events_carry_nothing_but_ids_and_who_asked() -> None:
    assert set(ParticipantErased.__struct_fields__) == {"participant_id", "at", "by"}
    assert set(SupportContactErased.__struct_fields__) == {"contact_id", "at", "by"}
