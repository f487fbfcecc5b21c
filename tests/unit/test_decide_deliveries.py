"""Given an activation, when the notifier reports deliveries and escalations, then they join its history."""

from uuid import UUID

import pytest

from contracts.events import ActivationEscalated, AlertDeliveryRecorded, PlanEvent
from contracts.ids import ActivationId, RecipientId
from contracts.vocabulary import ChannelKind, DeliveryStatus, MessageKind
from planner.domain.commands import RecordDelivery, RecordEscalation
from planner.domain.decide import decide
from planner.domain.errors import NotFound
from planner.domain.evolve import fold
from tests.support.builders import ACTIVATION_ID, ALEX, BLAIR, NOW, activated, given, two_partners

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


def test_a_reported_delivery_is_recorded_on_the_activation() -> None:
    events = decide(given(*opened()), report())
    [recorded] = events
    assert isinstance(recorded, AlertDeliveryRecorded)
    state = fold(events, given(*opened()))
    assert state is not None
    assert state.activations[ACTIVATION_ID].deliveries == (recorded,)


def test_a_note_to_the_activating_partner_is_a_known_recipient() -> None:
    events = decide(given(*opened()), report(recipient_id=RecipientId(ALEX)))
    assert len(events) == 1


def test_a_delivery_to_a_stranger_is_refused() -> None:
    stranger = RecipientId(UUID("01950000-0000-7000-8000-0000000000ff"))
    with pytest.raises(NotFound):
        decide(given(*opened()), report(recipient_id=stranger))


def test_a_delivery_for_an_unknown_activation_is_refused() -> None:
    unknown = ActivationId(UUID("01950000-0000-7000-8000-0000000000fe"))
    with pytest.raises(NotFound):
        decide(given(*opened()), report(activation_id=unknown))


def test_an_escalation_is_recorded_once() -> None:
    command = RecordEscalation(now=NOW, activation_id=ACTIVATION_ID, tier=2)
    events = decide(given(*opened()), command)
    assert events == [ActivationEscalated(activation_id=ACTIVATION_ID, tier=2, at=NOW)]
    assert decide(given(*opened(), *events), command) == []
