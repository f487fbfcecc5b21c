"""What a replay knows from the rest of the history: which activations are over, who answered."""

from datetime import timedelta
from uuid import UUID

from contracts.delivery_events import AlertDeliveryRecorded
from contracts.events import ActivationAcknowledged, PlanEvent
from contracts.ids import ActivationId, ConsentRequestId, ContactId, ParticipantId
from contracts.support_events import (
    ConsentExpiring,
    ConsentGiven,
    DisclosureChosen,
    DisclosureRequested,
    SupportContactRemoved,
)
from contracts.vocabulary import (
    ChannelKind,
    ConsentScope,
    DeliveryStatus,
    DisclosureChoice,
    MessageKind,
)
from notifier.domain.hindsight import Hindsight
from tests.support.builders import consent_given, consent_requested, resolved
from tests.unit.notifier_domain.builders import ACTIVATION_ID, BLAIR, DANA, ELI, FRAN, NOW

OTHER = ActivationId(UUID("01950000-0000-7000-8000-000000000042"))


def look_ahead(events: list[PlanEvent]) -> Hindsight:
    """What is known at the end of ``events``, seen in order as a replay sees them."""
    seen = Hindsight()
    for event in events:
        seen.see(event)
    return seen


def acknowledged(by: UUID, activation_id: ActivationId = ACTIVATION_ID) -> ActivationAcknowledged:
    return ActivationAcknowledged(activation_id=activation_id, by=by, at=NOW)


def delivered(
    status: DeliveryStatus, message: MessageKind = MessageKind.ALERT
) -> AlertDeliveryRecorded:
    return AlertDeliveryRecorded(
        delivery_id=UUID("01950000-0000-7000-8000-000000000061"),
        activation_id=ACTIVATION_ID,
        recipient_id=BLAIR,
        channel=ChannelKind.EMAIL,
        tier=1,
        message=message,
        status=status,
        at=NOW,
    )


def test_an_activation_acknowledged_or_resolved_later_is_over() -> None:
    assert look_ahead([acknowledged(BLAIR)]).is_over(ACTIVATION_ID)
    assert look_ahead([resolved()]).is_over(ACTIVATION_ID)
    assert not look_ahead([resolved(OTHER)]).is_over(ACTIVATION_ID)


def test_the_first_acknowledgement_is_the_one_remembered() -> None:
    seen = look_ahead([acknowledged(BLAIR), acknowledged(DANA)])
    assert seen.acknowledged_by == {ACTIVATION_ID: BLAIR}


def test_a_request_answered_replaced_or_to_a_removed_contact_is_not_sent_again() -> None:
    dana, eli, fran = ContactId(DANA), ContactId(ELI), ContactId(FRAN)
    replaced = consent_requested(fran, ConsentRequestId(OTHER))
    seen = look_ahead(
        [
            consent_requested(dana),
            consent_given(dana),
            consent_requested(eli),
            SupportContactRemoved(contact_id=eli),
            consent_requested(fran),
            replaced,
        ]
    )
    assert seen.is_settled(consent_requested(dana))  # answered
    assert seen.is_settled(consent_requested(eli))  # removed
    assert seen.is_settled(consent_requested(fran))  # replaced by a newer request
    assert not seen.is_settled(replaced)  # the newest, not answered yet


def test_only_alerts_recorded_as_sent_are_counted() -> None:
    seen = look_ahead(
        [
            delivered(DeliveryStatus.SENT),
            delivered(DeliveryStatus.FAILED),
            delivered(DeliveryStatus.SENT, MessageKind.ALL_CLEAR),
        ]
    )
    assert seen.alerts_sent == {ACTIVATION_ID: 1}


def test_a_partner_who_chose_later_is_not_asked_again_by_a_replay() -> None:
    asked = DisclosureRequested(
        contact_id=ContactId(DANA),
        partner_id=ParticipantId(BLAIR),
        contact_name="Dana",
        requested_by=ParticipantId(ELI),
        at=NOW,
    )
    chosen = DisclosureChosen(
        contact_id=ContactId(DANA),
        partner_id=ParticipantId(BLAIR),
        choice=DisclosureChoice(alert=True),
        at=NOW,
    )
    assert not look_ahead([asked]).has_answered(asked)
    assert look_ahead([asked, chosen]).has_answered(asked)


def test_a_notice_that_a_consent_ends_is_outdated_once_it_was_renewed() -> None:
    expiring = ConsentExpiring(
        contact_id=ContactId(DANA), contact_name="Dana", expires_at=NOW, partners=(), at=NOW
    )
    renewed = ConsentGiven(
        contact_id=ContactId(DANA), scope=ConsentScope(), at=NOW + timedelta(days=1)
    )
    assert not look_ahead([expiring]).is_outdated(expiring)
    assert look_ahead([expiring, renewed]).is_outdated(expiring)
