"""An activation's delivery stream folded into it: who was told, which tiers escalated.

Delivery outcomes and escalations live on a stream per activation, apart from the plan's;
the activation's status is the plan's activation joined with that stream. Events of stores
written before delivery streams sit on the plan's stream and are folded by ``evolve`` with
these same functions, so a view comes out the same wherever its events were stored.
"""

from collections.abc import Iterable

from msgspec.structs import replace

from contracts.delivery_events import ActivationEscalated, AlertDeliveryRecorded
from contracts.events import PlanEvent
from planner.domain.state import Activation, PlanState


def with_delivery(activation: Activation, event: AlertDeliveryRecorded) -> Activation:
    return replace(activation, deliveries=(*activation.deliveries, event))


def with_escalation(activation: Activation, event: ActivationEscalated) -> Activation:
    if event.tier in activation.escalated_tiers:
        return activation  # a tier escalates once, however often it was reported
    return replace(activation, escalated_tiers=(*activation.escalated_tiers, event.tier))


def joined(state: PlanState, events: Iterable[PlanEvent]) -> PlanState:
    """``state`` with the delivery streams' ``events`` (in stream order) in its activations.

    Events of an activation the state does not hold (read "as of" an earlier time, or a
    consent request's deliveries) are left out.
    """
    activations = dict(state.activations)
    for event in events:
        match event:
            case AlertDeliveryRecorded(activation_id=activation_id) if activation_id in activations:
                activations[activation_id] = with_delivery(activations[activation_id], event)
            case ActivationEscalated(activation_id=activation_id) if activation_id in activations:
                activations[activation_id] = with_escalation(activations[activation_id], event)
            case _:
                pass
    return replace(state, activations=activations)
