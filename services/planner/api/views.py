"""Read views: the plan state shaped for a client. Pure functions of the folded state."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import msgspec

from contracts.envelope import Envelope
from contracts.vocabulary import Level, Tier
from planner.api.support_views import SupportView, support_view
from planner.domain.state import Activation, CheckIn, PlanState

V = TypeVar("V", bound=msgspec.Struct)


class PartnerView(msgspec.Struct, frozen=True, kw_only=True):
    participant_id: UUID
    display_name: str


class SignView(msgspec.Struct, frozen=True, kw_only=True):
    sign_id: UUID
    owner_id: UUID
    category: str
    description: str
    level: Level
    retired: bool


class StepView(msgspec.Struct, frozen=True, kw_only=True):
    step_id: UUID
    level: Level
    description: str


class AcknowledgementView(msgspec.Struct, frozen=True, kw_only=True):
    by: UUID
    at: datetime


class DeliveryView(msgspec.Struct, frozen=True, kw_only=True):
    """One message on one channel, as the notifier reported it."""

    channel: str
    message: str  # alert | ack_note | all_clear | no_answer
    status: str  # sent | failed
    reason: str | None
    attempts: int
    at: datetime


class RecipientView(msgspec.Struct, frozen=True, kw_only=True):
    recipient_id: UUID
    kind: str
    display_name: str
    tier: int
    channels: tuple[str, ...]
    acknowledged_at: datetime | None
    deliveries: tuple[DeliveryView, ...] = ()


class ActivationView(msgspec.Struct, frozen=True, kw_only=True):
    activation_id: UUID
    level: Level
    status: str  # triggered | acknowledged | resolved | false_alarm
    activated_by: UUID
    activated_at: datetime
    observed_sign_ids: tuple[UUID, ...]
    note: str
    recipients: tuple[RecipientView, ...]
    acknowledgements: tuple[AcknowledgementView, ...]
    resolved_at: datetime | None
    reflection: str
    escalated_tiers: tuple[int, ...] = ()
    reaches_anyone: bool = True  # false: no recipient has a channel, nobody was alerted
    unreachable: tuple[UUID, ...] = ()  # recipients with no channel to alert them on


class PlanView(msgspec.Struct, frozen=True, kw_only=True):
    plan_id: UUID
    title: str
    version: int
    partners: tuple[PartnerView, ...]
    warning_signs: tuple[SignView, ...]
    response_steps: tuple[StepView, ...]
    supports: tuple[SupportView, ...]
    escalation: dict[Level, tuple[Tier, ...]]
    activations: tuple[ActivationView, ...]
    check_ins: tuple[CheckIn, ...]


class EventView(msgspec.Struct, frozen=True, kw_only=True):
    event_id: UUID
    stream_version: int
    position: int
    type: str
    schema_version: int
    recorded_at: datetime
    actor: str
    correlation_id: UUID
    data: dict[str, Any]


class EventPage(msgspec.Struct, frozen=True, kw_only=True):
    plan_id: UUID
    events: tuple[EventView, ...]
    next_after: int | None  # pass as ``after`` for the next page; null at the end


def activation_status(activation: Activation) -> str:
    if activation.outcome is not None:
        return activation.outcome.value
    return "acknowledged" if activation.acknowledgements else "triggered"


def activation_view(activation: Activation) -> ActivationView:
    acked = {ack.by: ack.at for ack in reversed(activation.acknowledgements)}
    recipients = tuple(
        RecipientView(
            recipient_id=r.recipient_id,
            kind=r.kind.value,
            display_name=r.display_name,
            tier=r.tier,
            channels=tuple(channel.kind.value for channel in r.channels),
            acknowledged_at=acked.get(r.recipient_id),
            deliveries=tuple(
                DeliveryView(
                    channel=d.channel.value,
                    message=d.message.value,
                    status=d.status.value,
                    reason=d.reason,
                    attempts=d.attempts,
                    at=d.at,
                )
                for d in activation.deliveries
                if d.recipient_id == r.recipient_id
            ),
        )
        for r in activation.recipients
    )
    return ActivationView(
        activation_id=activation.activation_id,
        level=activation.level,
        status=activation_status(activation),
        activated_by=activation.activated_by,
        activated_at=activation.activated_at,
        observed_sign_ids=activation.observed_sign_ids,
        note=activation.note,
        recipients=recipients,
        acknowledgements=tuple(
            AcknowledgementView(by=ack.by, at=ack.at) for ack in activation.acknowledgements
        ),
        resolved_at=activation.resolved_at,
        reflection=activation.reflection,
        escalated_tiers=activation.escalated_tiers,
        reaches_anyone=activation.reaches_anyone,
        unreachable=activation.unreachable,
    )


def plan_view(state: PlanState, now: datetime, listed: frozenset[str] = frozenset()) -> PlanView:
    """The plan at ``now`` (consents past their end show as expired), for a reader whose
    "do not involve" list has ``listed``."""
    return PlanView(
        plan_id=state.plan_id,
        title=state.title,
        version=state.version,
        partners=_as(PartnerView, state.partners),
        warning_signs=_as(SignView, state.signs.values()),
        response_steps=_as(StepView, state.steps.values()),
        supports=tuple(support_view(c, state, now, listed) for c in state.contacts.values()),
        escalation=dict(state.policies),
        activations=tuple(activation_view(a) for a in state.activations.values()),
        check_ins=state.check_ins,
    )


def _as(view: type[V], items: Iterable[object]) -> tuple[V, ...]:
    """Each item as ``view``: the fields of that name, the state's others left out."""
    return tuple(msgspec.convert(item, view, from_attributes=True) for item in items)


def event_view(envelope: Envelope) -> EventView:
    data = msgspec.to_builtins(envelope.event)
    data.pop("type", None)
    return EventView(
        event_id=envelope.event_id,
        stream_version=envelope.stream_version,
        position=envelope.position,
        type=envelope.event_type,
        schema_version=envelope.schema_version,
        recorded_at=envelope.recorded_at,
        actor=envelope.metadata.actor,
        correlation_id=envelope.metadata.correlation_id,
        data=data,
    )
