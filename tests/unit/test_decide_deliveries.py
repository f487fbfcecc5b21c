"""Given an activation, when the notifier reports deliveries and escalations, then they are
decided on the plan, go on the activation's delivery stream, and join its status view."""

from uuid import UUID

import pytest
from msgspec.structs import replace

from contracts.delivery_events import (
    ActivationEscalated,
    AlertDeliveryRecorded,
    delivery_stream_id,
    plan_of,
)
from contracts.events import PlanEvent
from contracts.ids import ActivationId, RecipientId
from contracts.vocabulary import ChannelKind, DeliveryStatus, MessageKind
from planner.api.views import activation_view
from planner.domain.decide_deliveries import decide_report
from planner.domain.delivery_log import joined
from planner.domain.errors import InvalidCommand, NotFound
from planner.domain.report_commands import RecordDelivery, RecordEscalation
from planner.handlers.reports import stream_of
from tests.support.builders import (
    ACTIVATION_ID,
    ALEX,
    BLAIR,
    DANA,
    NOW,
    PLAN_ID,
    activated,
    given,
    two_partners,
)

DELIVERY = UUID("01950000-0000-7000-8000-0000000000d1")


def opened() -> list[PlanEvent]:
    return [*two_partners(), activated(two_partners())]


def report(**overrides: object) -> RecordDelivery:
    fields: dict[str, object] = {
        "now": NOW,
        "delivery_id": DELIVERY,
        "activation_id": ACTIVATION_ID,
        "recipient_id": RecipientId(BLAIR),
        "channel": ChannelKind.EMAIL,
        "tier": 1,
        "message": MessageKind.ALERT,
        "status": DeliveryStatus.FAILED,
        "reason": "timeout",
        "attempts": 3,
    }
    fields.update(overrides)
    return RecordDelivery(**fields)  # type: ignore[arg-type]


def test_a_reported_delivery_names_its_plan_and_joins_the_activation() -> None:
    plan = given(*opened())
    [recorded] = decide_report(plan, report())
    assert isinstance(recorded, AlertDeliveryRecorded)
    assert recorded.plan_id == PLAN_ID
    state = joined(plan, [recorded])
    assert state.activations[ACTIVATION_ID].deliveries == (recorded,)
    assert state.version == plan.version  # the plan's version never moves for a report


def test_a_report_goes_on_its_activations_stream_or_for_a_consent_request_its_contacts() -> None:
    assert stream_of(report()) == ACTIVATION_ID
    assert stream_of(report(activation_id=None, recipient_id=RecipientId(DANA))) == DANA
    assert stream_of(RecordEscalation(now=NOW, activation_id=ACTIVATION_ID, tier=2)) == (
        ACTIVATION_ID
    )
    assert delivery_stream_id(None, DANA) == DANA


def test_an_event_of_a_delivery_stream_is_published_under_its_plan() -> None:
    [recorded] = decide_report(given(*opened()), report())
    assert plan_of(ACTIVATION_ID, recorded) == PLAN_ID
    older = replace(recorded, plan_id=None)  # stored on the plan's stream itself
    assert plan_of(PLAN_ID, older) == PLAN_ID


def test_a_note_to_the_activating_partner_is_a_known_recipient() -> None:
    events = decide_report(given(*opened()), report(recipient_id=RecipientId(ALEX)))
    assert len(events) == 1


def test_a_delivery_to_a_stranger_is_refused() -> None:
    stranger = RecipientId(UUID("01950000-0000-7000-8000-0000000000ff"))
    with pytest.raises(NotFound):
        decide_report(given(*opened()), report(recipient_id=stranger))


def test_a_delivery_for_an_unknown_activation_is_refused() -> None:
    unknown = ActivationId(UUID("01950000-0000-7000-8000-0000000000fe"))
    with pytest.raises(NotFound):
        decide_report(given(*opened()), report(activation_id=unknown))


def test_a_delivery_without_an_attempt_is_refused() -> None:
    with pytest.raises(InvalidCommand):
        decide_report(given(*opened()), report(attempts=0))


def test_an_escalation_is_recorded_once_on_its_delivery_stream() -> None:
    command = RecordEscalation(now=NOW, activation_id=ACTIVATION_ID, tier=2)
    plan = given(*opened())
    events = decide_report(plan, command)
    assert events == [
        ActivationEscalated(activation_id=ACTIVATION_ID, tier=2, at=NOW, plan_id=PLAN_ID)
    ]
    assert decide_report(joined(plan, events), command) == []


def test_an_escalation_on_the_plans_stream_of_an_older_store_is_not_recorded_again() -> None:
    older = ActivationEscalated(activation_id=ACTIVATION_ID, tier=2, at=NOW)
    command = RecordEscalation(now=NOW, activation_id=ACTIVATION_ID, tier=2)
    assert decide_report(given(*opened(), older), command) == []


def test_reports_on_the_plans_stream_and_on_a_delivery_stream_make_the_same_view() -> None:
    plan = given(*opened())
    delivered = decide_report(plan, report(status=DeliveryStatus.SENT, reason=None))
    escalated = decide_report(plan, RecordEscalation(now=NOW, activation_id=ACTIVATION_ID, tier=2))
    reports = [*delivered, *escalated]
    older = [replace(event, plan_id=None) for event in reports]
    on_the_plan = given(*opened(), *older)  # where an older store keeps them
    on_their_stream = joined(plan, reports)
    assert activation_view(on_the_plan.activations[ACTIVATION_ID]) == activation_view(
        on_their_stream.activations[ACTIVATION_ID]
    )
    assert activation_view(on_their_stream.activations[ACTIVATION_ID]).escalated_tiers == (2,)


def test_reports_of_an_activation_the_plan_does_not_hold_are_left_out() -> None:
    plan = given(*two_partners())  # read as of a time before the activation
    [recorded] = decide_report(given(*opened()), report())
    assert joined(plan, [recorded]).activations == {}
