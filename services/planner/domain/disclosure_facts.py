"""What the accounting of disclosures needs from a plan's history, with the ids of the events
that said it: who the partners are and since which event, each contact's consent and each
partner's agreement as they stood when an activation froze its recipients, who answered
first, who asked each contact or partner, and every delivery the notifier reported.

Folded from the plan's stream and its delivery streams (``Recorded``: an event with its id
and position), so the accounting is built from the event log alone.
"""

from collections.abc import Iterable
from uuid import UUID

import msgspec

from contracts.delivery_events import AlertDeliveryRecorded
from contracts.erasure_events import SupportContactErased
from contracts.events import (
    ActivationAcknowledged,
    PartnerJoined,
    PlanActivated,
    PlanCreated,
    PlanEvent,
    WarningSignAdded,
)
from contracts.support_events import (
    ConsentDeclined,
    ConsentGiven,
    ConsentRequested,
    ConsentWithdrawn,
    DisclosureChosen,
    DisclosureRequested,
    SupportContactAdded,
)


class Recorded(msgspec.Struct, frozen=True, kw_only=True):
    """A stored event, with what the accounting cites of it."""

    event_id: UUID
    position: int
    event: PlanEvent


class Basis(msgspec.Struct, frozen=True, kw_only=True):
    """An event under which a message was sent: a consent, an agreement, a membership."""

    event_id: UUID
    type: str  # the event's tag, e.g. ``plan.consent_given``


class Member(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    since: Basis  # ``plan.created`` or ``plan.partner_joined``


class Asked(msgspec.Struct, frozen=True, kw_only=True):
    """A consent request to a contact, or a question to a partner about a contact."""

    by: UUID
    by_name: str
    to: UUID
    to_name: str
    basis: Basis
    position: int


class ActivationFacts(msgspec.Struct, frozen=True, kw_only=True):
    activation: PlanActivated
    # Per contact recipient: their consent and the asker's agreement, as they stood then.
    bases: dict[UUID, tuple[Basis, ...]]
    helper: UUID | None = None  # who acknowledged first


class PlanFacts(msgspec.Struct, frozen=True, kw_only=True):
    """Built by ``facts_of`` alone, which fills its maps in history order."""

    plan_id: UUID
    members: dict[UUID, Member] = msgspec.field(default_factory=dict)
    sign_owners: dict[UUID, UUID] = msgspec.field(default_factory=dict)
    consents: dict[UUID, Basis] = msgspec.field(default_factory=dict)  # current, per contact
    agreements: dict[tuple[UUID, UUID], Basis] = msgspec.field(default_factory=dict)
    activations: dict[UUID, ActivationFacts] = msgspec.field(default_factory=dict)
    asked: dict[UUID, Asked] = msgspec.field(default_factory=dict)  # by request or event id
    deliveries: list[tuple[int, AlertDeliveryRecorded]] = msgspec.field(default_factory=list)


def basis(recorded: Recorded) -> Basis:
    return Basis(event_id=recorded.event_id, type=str(recorded.event.__struct_config__.tag))


def facts_of(plan_id: UUID, history: Iterable[Recorded]) -> PlanFacts:
    """``history``: the plan's events and its delivery streams', in position order."""
    facts = PlanFacts(plan_id=plan_id)
    for recorded in history:
        _apply(facts, recorded)
    return facts


def _apply(facts: PlanFacts, recorded: Recorded) -> None:
    if isinstance(recorded.event, SupportContactErased):
        _contact_erased(facts, recorded.event)
    elif not _people(facts, recorded):
        _messages(facts, recorded)


def _contact_erased(facts: PlanFacts, event: SupportContactErased) -> None:
    # An erasure discloses nothing, and an erased contact is told nothing from then on.
    facts.consents.pop(event.contact_id, None)
    for key in [k for k in facts.agreements if k[0] == event.contact_id]:
        del facts.agreements[key]


def _people(facts: PlanFacts, recorded: Recorded) -> bool:
    """Partners, sign owners, consents and agreements; False for any other event."""
    event = recorded.event
    match event:
        case PlanCreated():
            facts.members[event.created_by] = Member(name=event.creator_name, since=basis(recorded))
        case PartnerJoined():
            facts.members[event.participant_id] = Member(
                name=event.display_name, since=basis(recorded)
            )
        case WarningSignAdded():
            facts.sign_owners[event.sign_id] = event.owner_id
        case SupportContactAdded():
            if event.adder_disclosure is None or event.adder_disclosure.alert:
                facts.agreements[(event.contact_id, event.added_by)] = basis(recorded)
        case DisclosureChosen():
            key = (event.contact_id, event.partner_id)
            if event.choice.alert:
                facts.agreements[key] = basis(recorded)
            else:
                facts.agreements.pop(key, None)
        case ConsentGiven():
            facts.consents[event.contact_id] = basis(recorded)
        case ConsentDeclined() | ConsentWithdrawn():
            facts.consents.pop(event.contact_id, None)
        case _:
            return False
    return True


def _messages(facts: PlanFacts, recorded: Recorded) -> None:
    """Requests, activations, answers and the deliveries reported."""
    event = recorded.event
    match event:
        case ConsentRequested():
            facts.asked[event.request_id] = _asked(
                recorded, event, event.contact_id, event.contact_name
            )
        case DisclosureRequested():
            facts.asked[recorded.event_id] = _asked(
                recorded, event, event.partner_id, event.partner_name
            )
        case PlanActivated():
            facts.activations[event.activation_id] = _frozen(facts, event)
        case ActivationAcknowledged():
            known = facts.activations.get(event.activation_id)
            if known is not None and known.helper is None:
                facts.activations[event.activation_id] = msgspec.structs.replace(
                    known, helper=event.by
                )
        case AlertDeliveryRecorded():
            if event.plan_id in (None, facts.plan_id):
                facts.deliveries.append((recorded.position, event))
        case _:
            pass  # nothing else tells whom a message named, or why


def _asked(
    recorded: Recorded, asking: ConsentRequested | DisclosureRequested, to: UUID, to_name: str
) -> Asked:
    """A question put by a partner to ``to``: a contact's consent, a partner's agreement."""
    return Asked(
        by=asking.requested_by,
        by_name=asking.requested_by_name,
        to=to,
        to_name=to_name,
        basis=basis(recorded),
        position=recorded.position,
    )


def _frozen(facts: PlanFacts, activation: PlanActivated) -> ActivationFacts:
    """The consents and agreements each contact recipient was alerted under."""
    bases: dict[UUID, tuple[Basis, ...]] = {}
    for recipient in activation.recipients:
        cited = (
            facts.consents.get(recipient.recipient_id),
            facts.agreements.get((recipient.recipient_id, activation.activated_by)),
        )
        bases[recipient.recipient_id] = tuple(b for b in cited if b is not None)
    return ActivationFacts(activation=activation, bases=bases)
