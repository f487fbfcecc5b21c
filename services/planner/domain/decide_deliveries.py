"""Recording what the notifier did: each delivery and escalation, on its delivery stream.

These are facts reported by another service, so the checks are about coherence (the
activation and the recipient exist), not permission. ``state`` is the plan joined with
the activation's delivery stream (``delivery_log.joined``), so a tier reported twice is
recorded once. The events go on the delivery stream, never on the plan's.
"""

from typing import assert_never

from contracts.delivery_events import ActivationEscalated, AlertDeliveryRecorded, DeliveryEvent
from contracts.ids import ParticipantId
from contracts.vocabulary import MessageKind
from planner.domain.errors import InvalidCommand, NotFound
from planner.domain.guards import activation_of
from planner.domain.report_commands import DeliveryCommand, RecordDelivery, RecordEscalation
from planner.domain.state import PlanState

_TO_PARTNERS = (
    MessageKind.DISCLOSURE_REQUEST,
    MessageKind.CONSENT_EXPIRING,
    MessageKind.SIGN_IN_LINK,
)


def decide_report(state: PlanState, command: DeliveryCommand) -> list[DeliveryEvent]:
    match command:
        case RecordDelivery():
            return record_delivery(state, command)
        case RecordEscalation():
            return record_escalation(state, command)
        case _:
            assert_never(command)


def record_delivery(state: PlanState, command: RecordDelivery) -> list[DeliveryEvent]:
    _require_known_recipient(state, command)
    if command.attempts < 1:
        raise InvalidCommand("attempts", "a delivery takes at least one attempt")
    recorded = AlertDeliveryRecorded(
        delivery_id=command.delivery_id,
        activation_id=command.activation_id,
        recipient_id=command.recipient_id,
        channel=command.channel,
        tier=command.tier,
        message=command.message,
        status=command.status,
        reason=command.reason,
        attempts=command.attempts,
        at=command.now,
        plan_id=state.plan_id,
        about=command.about,
        request_id=command.request_id,
    )
    return [recorded]


def record_escalation(state: PlanState, command: RecordEscalation) -> list[DeliveryEvent]:
    activation = activation_of(state, command.activation_id)
    if command.tier in activation.escalated_tiers:
        return []  # reported twice (a redelivered message): the history says it once
    escalated = ActivationEscalated(
        activation_id=command.activation_id,
        tier=command.tier,
        at=command.now,
        plan_id=state.plan_id,
    )
    return [escalated]


def _require_known_recipient(state: PlanState, command: RecordDelivery) -> None:
    if command.activation_id is None:
        if command.message in _TO_PARTNERS:  # a note to a partner (about a contact), a sign-in link
            if not state.is_partner(ParticipantId(command.recipient_id)):
                raise NotFound("partner", command.recipient_id)
        elif command.recipient_id not in state.contacts:
            raise NotFound("support contact", command.recipient_id)
        return
    activation = activation_of(state, command.activation_id)
    known = {r.recipient_id for r in activation.recipients} | {activation.activated_by}
    if command.recipient_id not in known:
        raise NotFound("recipient", command.recipient_id)
