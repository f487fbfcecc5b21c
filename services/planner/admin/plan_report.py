"""A plan as an operator reads it: the API's views, without addresses, notes or check-ins.

Built on :mod:`planner.api.views` (the same views the API answers with). Names are kept:
this is the operator's own terminal. Channel addresses, activation notes, reflections and
check-ins are left out: an operator following up on who was told needs none of them.
"""

from datetime import UTC, datetime
from uuid import UUID

import msgspec
from msgspec.structs import replace

from contracts.delivery_events import ActivationEscalated, AlertDeliveryRecorded
from contracts.envelope import Envelope
from contracts.events import ActivationAcknowledged, ActivationResolved, PlanActivated
from contracts.vocabulary import ConsentScope, Level, Tier
from planner.api.views import (
    ActivationView,
    PartnerView,
    SignView,
    StepView,
    activation_view,
    plan_view,
)
from planner.domain.state import PlanState


class SupportReport(msgspec.Struct, frozen=True, kw_only=True):
    contact_id: UUID
    display_name: str
    relationship: str
    channels: tuple[str, ...]  # kinds only: never an address
    consent: str
    scope: ConsentScope | None
    removed: bool


class TimelineEntry(msgspec.Struct, frozen=True, kw_only=True):
    at: datetime
    stream_version: int
    activation_id: UUID
    what: str


class PlanReport(msgspec.Struct, frozen=True, kw_only=True):
    plan_id: UUID
    title: str
    version: int
    as_of: datetime | None
    partners: tuple[PartnerView, ...]
    warning_signs: tuple[SignView, ...]
    response_steps: tuple[StepView, ...]
    supports: tuple[SupportReport, ...]
    escalation: dict[Level, tuple[Tier, ...]]
    activations: tuple[ActivationView, ...]  # note and reflection always empty here
    timeline: tuple[TimelineEntry, ...]


def plan_report(state: PlanState, envelopes: list[Envelope], as_of: datetime | None) -> PlanReport:
    view = plan_view(state, as_of or datetime.now(UTC))
    return PlanReport(
        plan_id=view.plan_id,
        title=view.title,
        version=view.version,
        as_of=as_of,
        partners=view.partners,
        warning_signs=view.warning_signs,
        response_steps=view.response_steps,
        supports=tuple(
            SupportReport(
                contact_id=s.contact_id,
                display_name=s.display_name,
                relationship=s.relationship,
                channels=tuple(channel.kind.value for channel in s.channels),
                consent=s.consent,
                scope=s.scope,
                removed=s.removed,
            )
            for s in view.supports
        ),
        escalation=view.escalation,
        activations=tuple(
            replace(activation_view(a), note="", reflection="") for a in state.activations.values()
        ),
        timeline=timeline(state, envelopes),
    )


def timeline(state: PlanState, envelopes: list[Envelope]) -> tuple[TimelineEntry, ...]:
    """What happened to each activation, in the order stored: who was told, who answered.

    ``envelopes`` are the plan's and its activations' delivery streams' (each entry's
    ``stream_version`` is in its own stream)."""
    names = _names(state)
    entries = []
    for envelope in envelopes:
        described = _describe(envelope, names)
        if described is not None:
            activation_id, what = described
            entries.append(
                TimelineEntry(
                    at=envelope.recorded_at,
                    stream_version=envelope.stream_version,
                    activation_id=activation_id,
                    what=what,
                )
            )
    return tuple(entries)


def _names(state: PlanState) -> dict[UUID, str]:
    names: dict[UUID, str] = {p.participant_id: p.display_name for p in state.partners}
    names.update({c.contact_id: c.display_name for c in state.contacts.values()})
    for activation in state.activations.values():
        names.update({r.recipient_id: r.display_name for r in activation.recipients})
    return names


def _describe(envelope: Envelope, names: dict[UUID, str]) -> tuple[UUID, str] | None:
    def who(person: UUID) -> str:
        return names.get(person, str(person))

    match envelope.event:
        case PlanActivated(activation_id=aid, level=level, activated_by=by, recipients=rs):
            return aid, f"activated ({level.value}) by {who(by)}; {len(rs)} recipient(s)"
        case AlertDeliveryRecorded(activation_id=UUID() as aid) as d:
            reason = f" ({d.reason})" if d.reason else ""
            return aid, (
                f"{d.message.value} to {who(d.recipient_id)} by {d.channel.value}, "
                f"tier {d.tier}: {d.status.value}{reason}, {d.attempts} attempt(s)"
            )
        case ActivationEscalated(activation_id=aid, tier=tier):
            return aid, f"escalated to tier {tier}"
        case ActivationAcknowledged(activation_id=aid, by=by):
            return aid, f"acknowledged by {who(by)}"
        case ActivationResolved(activation_id=aid, outcome=outcome, resolved_by=by):
            return aid, f"{outcome.value} by {who(by)}"
        case _:
            return None
