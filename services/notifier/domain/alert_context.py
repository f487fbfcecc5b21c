"""What a message may say besides its kind: the facts around it, and what may be disclosed.

Disclosure is decided here, once, so the e-mail text, the SMS text and the webhook body
cannot disagree: warning signs and the note reach a support contact only when their
consent scope shares them and the activating partner chose to share them too; the other
partner sees both; anyone else sees neither. The rule itself is ``contracts.disclosure``,
which the planner's accounting of disclosures reads too.
"""

from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

import msgspec

from contracts.disclosure import Field, Named, carried
from contracts.events import PlanActivated
from contracts.vocabulary import DEFAULT_CRISIS_RESOURCES, ChannelKind, Recipient, RecipientKind
from notifier.domain.deliveries import PlannedDelivery

_REACHABLE_KINDS = (ChannelKind.SMS, ChannelKind.EMAIL)  # a webhook URL is no way to talk


class AlertContext(msgspec.Struct, frozen=True, kw_only=True):
    """The facts a message is rendered from, loaded by the caller.

    ``signs`` maps a sign id to its description and is read only where disclosure is
    allowed. ``sequence`` numbers the messages of one activation, so a webhook receiver
    can order what arrives out of order.
    """

    activation: PlanActivated | None
    sequence: int
    sent_at: datetime
    signs: Mapping[UUID, str] = msgspec.field(default_factory=dict)
    ack_url: str | None = None
    consent_url: str | None = None
    page_url: str | None = None
    """The page a person opens from this message (the URLs above are for programs)."""
    acknowledged_by_name: str | None = None
    crisis_resources: str = DEFAULT_CRISIS_RESOURCES
    partner_names: tuple[str, ...] = ()  # who asks, in a consent request
    contact_name: str = ""  # who a note to partners is about (disclosure, consent ending)
    ends_at: datetime | None = None  # when a consent ends: asked for, or ending soon
    notice: tuple[str, ...] = ()  # a consent request: what a contact is told (Art. 14)


class Disclosure(msgspec.Struct, frozen=True, kw_only=True):
    """What of the activation one recipient may read; None means not allowed (or empty)."""

    signs: tuple[str, ...] | None = None
    note: str | None = None


def recipient_of(delivery: PlannedDelivery, context: AlertContext) -> Recipient | None:
    """The frozen recipient a delivery goes to; None for the activator or a consent request."""
    if context.activation is None:
        return None
    return next(
        (r for r in context.activation.recipients if r.recipient_id == delivery.recipient_id),
        None,
    )


def disclosure_for(delivery: PlannedDelivery, context: AlertContext) -> Disclosure:
    activation = context.activation
    recipient = recipient_of(delivery, context)
    if activation is None or recipient is None:
        return Disclosure()
    shown = carried(delivery.message, delivery.channel.kind, recipient).get(Named.ASKER, ())
    signs = None
    if Field.SIGNS in shown:
        signs = tuple(context.signs[s] for s in activation.observed_sign_ids if s in context.signs)
    note = activation.note.strip() if Field.NOTE in shown else ""
    return Disclosure(signs=signs, note=note or None)


def is_plan_member(delivery: PlannedDelivery, context: AlertContext) -> bool:
    """The activator or the other partner: people who may read the plan's own words."""
    activation = context.activation
    if activation is None:
        return False
    if delivery.recipient_id == activation.activated_by:
        return True
    recipient = recipient_of(delivery, context)
    return recipient is not None and recipient.kind is RecipientKind.PARTNER


def reach_addresses(activation: PlanActivated) -> list[str]:
    """Where a person can reach the one who asked: phone numbers and e-mail addresses."""
    addresses = (c.address for c in activation.activator_channels if c.kind in _REACHABLE_KINDS)
    return list(dict.fromkeys(addresses))


def not_reached_name(activation: PlanActivated, recipient_id: UUID) -> str:
    """The name of the recipient a note says could not be reached (the activator knows it)."""
    named = (r.display_name for r in activation.recipients if r.recipient_id == recipient_id)
    return next(named, "").strip() or "someone you chose"
