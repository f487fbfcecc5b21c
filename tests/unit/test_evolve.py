"""evolve and fold: each event's effect on the plan's state, and the version count."""

import pytest

from contracts.events import (
    ActivationAcknowledged,
    CheckInRecorded,
    PlanEvent,
    ResponseStepRemoved,
    ResponseStepRevised,
    WarningSignRevised,
)
from contracts.ids import RecipientId
from contracts.support_events import ConsentDeclined, ConsentWithdrawn, SupportContactRemoved
from contracts.vocabulary import ConsentScope, Level, Outcome
from planner.domain.evolve import evolve, fold
from planner.domain.state import (
    Acknowledgement,
    CheckIn,
    ConsentRequest,
    ConsentStatus,
    Invite,
    Partner,
    WarningSign,
)
from tests.support.builders import (
    ACTIVATION_ID,
    ALEX,
    BLAIR,
    CHECK_IN_ID,
    CODE_SHA256,
    DANA,
    INVITE_EXPIRES,
    INVITE_ID,
    LATER,
    NOW,
    OTHER_REQUEST_ID,
    PLAN_ID,
    REQUEST_EXPIRES,
    REQUEST_IDS,
    SIGN_ID,
    STEP_ID,
    activated,
    asked,
    consent_given,
    consent_requested,
    consented,
    contact_added,
    given,
    plan_created,
    policy_set,
    resolved,
    sign_added,
    sign_retired,
    step_added,
    two_partners,
)


def test_a_created_plan_is_at_version_one_with_its_creator_as_partner() -> None:
    state = evolve(None, plan_created())
    assert (state.plan_id, state.title, state.version) == (PLAN_ID, "Our plan", 1)
    assert state.partners == (Partner(participant_id=ALEX, display_name="Alex"),)


def test_the_version_counts_the_events_applied() -> None:
    events = [*two_partners(), sign_added(), sign_retired()]
    state = given(*events)
    assert state.version == len(events)


def test_folding_nothing_leaves_the_state_as_it_was() -> None:
    state = given(plan_created())
    assert fold([]) is None
    assert fold([], state) is state


def test_folding_continues_from_a_given_state() -> None:
    events = two_partners()
    assert fold(events[1:], given(events[0])) == given(*events)


def test_a_stream_must_start_with_the_plan_being_created() -> None:
    with pytest.raises(ValueError, match="must start"):
        evolve(None, sign_added())


def test_a_plan_is_created_once_in_its_stream() -> None:
    with pytest.raises(ValueError, match="already created"):
        given(plan_created(), plan_created())


def test_evolving_leaves_the_earlier_state_untouched() -> None:
    before = given(plan_created())
    evolve(before, sign_added())
    assert before.signs == {}
    assert before.version == 1


def test_a_partner_joining_uses_their_invite() -> None:
    state = given(*two_partners())
    assert state.invites == {
        INVITE_ID: Invite(
            invite_id=INVITE_ID, code_sha256=CODE_SHA256, expires_at=INVITE_EXPIRES, used=True
        )
    }
    assert [p.participant_id for p in state.partners] == [ALEX, BLAIR]
    assert state.is_partner(BLAIR)


def test_a_warning_sign_is_revised_then_retired() -> None:
    revised = WarningSignRevised(sign_id=SIGN_ID, category="mood", description="Irritable")
    state = given(*two_partners(), sign_added(), revised, sign_retired())
    assert state.signs[SIGN_ID] == WarningSign(
        sign_id=SIGN_ID,
        owner_id=ALEX,
        category="mood",
        description="Irritable",
        level=Level.WATCH,
        retired=True,
    )


def test_a_response_step_is_revised_then_removed() -> None:
    revised = ResponseStepRevised(step_id=STEP_ID, level=Level.CRISIS, description="Call 988")
    assert given(*two_partners(), step_added(), revised).steps[STEP_ID].level is Level.CRISIS
    removed = given(*two_partners(), step_added(), ResponseStepRemoved(step_id=STEP_ID))
    assert removed.steps == {}


def test_consent_given_records_its_scope_and_time() -> None:
    contact = given(*two_partners(), *consented(DANA, levels=(Level.CRISIS,))).contacts[DANA]
    assert (contact.consent, contact.scope, contact.consent_changed_at) == (
        ConsentStatus.GIVEN,
        ConsentScope(levels=(Level.CRISIS,)),
        NOW,
    )


@pytest.mark.parametrize(
    ("event", "status"),
    [
        (ConsentDeclined(contact_id=DANA, at=LATER), ConsentStatus.DECLINED),
        (ConsentWithdrawn(contact_id=DANA, at=LATER), ConsentStatus.WITHDRAWN),
    ],
)
def test_consent_declined_or_withdrawn_leaves_no_scope(
    event: PlanEvent, status: ConsentStatus
) -> None:
    contact = given(*two_partners(), contact_added(DANA), consent_given(DANA), event).contacts[DANA]
    assert (contact.consent, contact.scope, contact.consent_changed_at) == (status, None, LATER)


def test_a_contacts_latest_consent_request_is_the_one_their_link_answers() -> None:
    state = given(*two_partners(), *asked(DANA))
    assert state.contacts[DANA].request == ConsentRequest(
        request_id=REQUEST_IDS[DANA], expires_at=REQUEST_EXPIRES
    )
    again = given(*two_partners(), *asked(DANA), consent_requested(DANA, OTHER_REQUEST_ID))
    assert again.contacts[DANA].request == ConsentRequest(
        request_id=OTHER_REQUEST_ID, expires_at=REQUEST_EXPIRES
    )


def test_an_answer_closes_the_request_it_came_through() -> None:
    state = given(*two_partners(), *consented(DANA))
    request = state.contacts[DANA].request
    assert request is not None
    assert request.answer is ConsentStatus.GIVEN
    assert not request.is_open(NOW)
    withdrawn = ConsentWithdrawn(contact_id=DANA, at=LATER, request_id=REQUEST_IDS[DANA])
    request = given(*two_partners(), *consented(DANA), withdrawn).contacts[DANA].request
    assert request is not None
    assert request.answer is ConsentStatus.WITHDRAWN


def test_an_answer_through_another_request_leaves_the_latest_open() -> None:
    older = ConsentDeclined(contact_id=DANA, at=LATER, request_id=OTHER_REQUEST_ID)
    request = given(*two_partners(), *asked(DANA), older).contacts[DANA].request
    assert request is not None
    assert request.is_open(LATER)


def test_a_removed_contact_is_kept_and_flagged() -> None:
    state = given(*two_partners(), contact_added(DANA), SupportContactRemoved(contact_id=DANA))
    assert state.contacts[DANA].removed


def test_an_escalation_policy_replaces_the_one_for_its_level() -> None:
    first = policy_set(Level.CRISIS, (DANA,), timeout=60)
    second = policy_set(Level.CRISIS, (DANA,), timeout=90)
    state = given(*two_partners(), contact_added(DANA), first, second)
    assert state.policies == {Level.CRISIS: second.tiers}


def test_an_activation_opens_collects_acknowledgements_and_closes() -> None:
    start = activated(two_partners())
    ack = ActivationAcknowledged(activation_id=ACTIVATION_ID, by=RecipientId(BLAIR), at=LATER)
    opened = given(*two_partners(), start, ack).activations[ACTIVATION_ID]
    assert opened.is_open
    assert (opened.recipients, opened.tiers, opened.activated_at) == (
        start.recipients,
        start.tiers,
        NOW,
    )
    assert opened.acknowledgements == (Acknowledgement(by=RecipientId(BLAIR), at=LATER),)
    closed = given(*two_partners(), start, ack, resolved()).activations[ACTIVATION_ID]
    assert not closed.is_open
    assert (closed.outcome, closed.resolved_by, closed.resolved_at) == (
        Outcome.RESOLVED,
        ALEX,
        LATER,
    )


def test_check_ins_are_kept_in_order() -> None:
    recorded = CheckInRecorded(
        check_in_id=CHECK_IN_ID,
        participant_id=BLAIR,
        mood=4,
        craving=1,
        note="",
        signs_noticed=(),
        at=NOW,
    )
    assert given(*two_partners(), recorded).check_ins == (
        CheckIn(
            check_in_id=CHECK_IN_ID,
            participant_id=BLAIR,
            mood=4,
            craving=1,
            note="",
            signs_noticed=(),
            at=NOW,
        ),
    )
