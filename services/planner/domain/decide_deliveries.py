"""Recording what the notifier did: deliveries and escalations become part of the plan's history.

These are facts reported by another service, so the checks are about coherence (the
activation and the recipient exist), not permission.
"""

from contracts.events import ActivationEscalated, AlertDeliveryRecorded, PlanEvent
from contracts.ids import ParticipantId
from planner.domain.commands import RecordDelivery, RecordEscalation
from planner.domain.errors import InvalidCommand, NotFound
from planner.domain.guards import activation_of
from planner.domain.state import PlanState


def record_delivery(state: PlanState, command: RecordDelivery) -> list[PlanEvent]:
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
    )
    return [recorded]


def record_escalation(state: PlanState, command: RecordEscalation) -> list[PlanEvent]:
    activation = activation_of(state, command.activation_id)
    if command.tier in activation.escalated_tiers:
        return []  # reported twice (a redelivered message): the history says it once
    return [
        ActivationEscalated(activation_id=command.activation_id, tier=command.tier, at=command.now)
    ]


def _require_known_recipient(state: PlanState, command: RecordDelivery) -> None:
    if command.activation_id is None:  # a consent request, or a partner's sign-in link
        partner = state.is_partner(ParticipantId(command.recipient_id))
        if command.recipient_id not in state.contacts and not partner:
            raise NotFound("support contact", command.recipient_id)
        return
    activation = activation_of(state, command.activation_id)
    known = {r.recipient_id for r in activation.recipients} | {activation.activated_by}
    if command.recipient_id not in known:
        raise NotFound("recipient", command.recipient_id)
