"""A person's accounting of disclosures: every message the notifier sent to someone else
that carried anything about them, with what it carried and under which consents.

What a message carried comes from ``contracts.disclosure.carried``, the rule the notifier
words messages by, less the fields that were empty. Warning signs are counted for whoever
owns them: an alert showing a sign of the other partner's is in that partner's accounting
too. A message appears once the notifier has reported it; a delivery reported failed and
later sent is one row, with its latest status.
"""

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

import msgspec

from contracts.delivery_events import AlertDeliveryRecorded
from contracts.disclosure import Field, Named, carried
from contracts.vocabulary import (
    ChannelKind,
    DeliveryStatus,
    MessageKind,
    Recipient,
    RecipientKind,
)
from planner.domain.disclosure_facts import ActivationFacts, Asked, Basis, PlanFacts

_REACHABLE = (ChannelKind.EMAIL, ChannelKind.SMS)  # the addresses an alert shows to reach one
_ASKED_BY = {
    MessageKind.CONSENT_REQUEST: "plan.consent_requested",
    MessageKind.DISCLOSURE_REQUEST: "plan.disclosure_requested",
}


class Told(msgspec.Struct, frozen=True, kw_only=True):
    """Who received a message."""

    recipient_id: UUID
    kind: RecipientKind
    display_name: str


class Disclosure(msgspec.Struct, frozen=True, kw_only=True):
    """One message that carried something about a person (``fields``) to someone else."""

    delivery_id: UUID
    position: int  # of the delivery's first report: the order, and the paging cursor
    plan_id: UUID
    activation_id: UUID | None
    to: Told
    channel: ChannelKind
    message: MessageKind
    fields: list[Field]
    consents: list[Basis]
    status: DeliveryStatus
    reason: str | None
    at: datetime  # when it was sent (or, if it failed, when it was last reported)


def disclosures_about(facts: PlanFacts, person: UUID) -> list[Disclosure]:
    """What the plan's messages told others about ``person``, in report order."""
    found = []
    for position, report in _latest(facts.deliveries):
        row = _about(facts, person, position, report)
        if row is not None:
            found.append(row)
    return found


def _latest(
    reports: Iterable[tuple[int, AlertDeliveryRecorded]],
) -> list[tuple[int, AlertDeliveryRecorded]]:
    """One entry per delivery: the position of its first report, and its latest report."""
    first: dict[UUID, int] = {}
    latest: dict[UUID, AlertDeliveryRecorded] = {}
    for position, report in reports:
        first.setdefault(report.delivery_id, position)
        latest[report.delivery_id] = report
    return [(first[d], latest[d]) for d in first]


def _about(
    facts: PlanFacts, person: UUID, position: int, report: AlertDeliveryRecorded
) -> Disclosure | None:
    if report.recipient_id == person:
        return None  # told to them: not a disclosure about them
    if report.activation_id is None:
        said = _asking(facts, person, position, report)
    else:
        activation = facts.activations.get(report.activation_id)
        said = None if activation is None else _in_activation(facts, activation, person, report)
    if said is None:
        return None
    to, fields, consents = said
    return Disclosure(
        delivery_id=report.delivery_id,
        position=position,
        plan_id=facts.plan_id,
        activation_id=report.activation_id,
        to=to,
        channel=report.channel,
        message=report.message,
        fields=[f for f in Field if f in fields],
        consents=list(consents),
        status=report.status,
        reason=report.reason,
        at=report.at,
    )


Said = tuple[Told, set[Field], tuple[Basis, ...]] | None


def _in_activation(
    facts: PlanFacts, known: ActivationFacts, person: UUID, report: AlertDeliveryRecorded
) -> Said:
    activation = known.activation
    frozen = next((r for r in activation.recipients if r.recipient_id == report.recipient_id), None)
    named = {
        Named.ASKER: activation.activated_by,
        Named.HELPER: known.helper,
        Named.UNREACHED: report.about,
    }
    rule = carried(report.message, report.channel, frozen, names_someone=report.about is not None)
    fields: set[Field] = set()
    for role, shown in rule.items():
        if role is Named.ASKER:
            fields |= _of_asker(facts, known, person, shown)
        elif named[role] == person and _name_in(activation.recipients, person):
            fields |= set(shown)
    if not fields:
        return None
    if frozen is None:  # a note to the asker
        member = facts.members.get(report.recipient_id)
        told = Told(
            recipient_id=report.recipient_id,
            kind=RecipientKind.PARTNER,
            display_name=activation.activator_name,
        )
        return told, fields, (member.since,) if member else ()
    return _told(frozen), fields, _bases(facts, known, frozen)


def _of_asker(
    facts: PlanFacts, known: ActivationFacts, person: UUID, shown: frozenset[Field]
) -> set[Field]:
    """What of ``shown`` was ``person``'s and not empty: signs go to whoever owns them."""
    activation = known.activation
    owners = {
        facts.sign_owners.get(s, activation.activated_by) for s in activation.observed_sign_ids
    }
    fields = {Field.SIGNS} if Field.SIGNS in shown and person in owners else set()
    if person != activation.activated_by:
        return fields
    empty = {
        Field.NAME: not activation.activator_name.strip(),
        Field.NOTE: not activation.note.strip(),
        Field.CONTACT_DETAILS: not any(c.kind in _REACHABLE for c in activation.activator_channels),
        Field.SIGNS: True,  # counted above, per owner
    }
    return fields | {f for f in shown if not empty.get(f, False)}


def _name_in(recipients: Iterable[Recipient], person: UUID) -> bool:
    """Whether a note naming ``person`` says their name (an empty one reads "someone")."""
    return any(r.recipient_id == person and r.display_name.strip() for r in recipients)


def _bases(facts: PlanFacts, known: ActivationFacts, frozen: Recipient) -> tuple[Basis, ...]:
    if frozen.kind is RecipientKind.PARTNER:
        member = facts.members.get(frozen.recipient_id)
        return (member.since,) if member else ()
    return known.bases.get(frozen.recipient_id, ())


def _told(frozen: Recipient) -> Told:
    return Told(
        recipient_id=frozen.recipient_id, kind=frozen.kind, display_name=frozen.display_name
    )


def _asking(facts: PlanFacts, person: UUID, position: int, report: AlertDeliveryRecorded) -> Said:
    """A consent request to a contact, or a question to a partner: it names who asked."""
    if Named.REQUESTER not in carried(report.message, report.channel):
        return None
    asked = _request(facts, position, report)
    if asked is None or asked.by != person or not asked.by_name.strip():
        return None
    to_partner = report.message is MessageKind.DISCLOSURE_REQUEST
    told = Told(
        recipient_id=report.recipient_id,
        kind=RecipientKind.PARTNER if to_partner else RecipientKind.CONTACT,
        display_name=asked.to_name,
    )
    member = facts.members.get(report.recipient_id) if to_partner else None
    consents = (asked.basis, member.since) if member else (asked.basis,)
    return told, {Field.NAME}, consents


def _request(facts: PlanFacts, position: int, report: AlertDeliveryRecorded) -> Asked | None:
    """The request a message belongs to: named by its report, else (a report from before
    reports named it) the latest one to its recipient recorded before it."""
    if report.request_id is not None:
        return facts.asked.get(report.request_id)
    kind = _ASKED_BY[report.message]
    earlier = [
        a
        for a in facts.asked.values()
        if a.to == report.recipient_id and a.basis.type == kind and a.position < position
    ]
    return max(earlier, key=lambda a: a.position, default=None)
