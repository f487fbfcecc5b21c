"""Which deliveries a moment in an activation calls for: one per (recipient, channel).

A ``PlannedDelivery`` is what the ledger claims before anything is sent. Its claim key is
the ledger's unique key, so planning the same moment twice (a redelivered message, a
replay) yields the same keys and the ledger sends nothing new. Tier 0 holds the notes
around an alert (acknowledged, all clear, no answer) and consent requests; alert tiers
are numbered from 1.
"""

from collections.abc import Iterable
from uuid import UUID

import msgspec

from contracts.events import PlanActivated, SignInLinkRequested
from contracts.support_events import ConsentExpiring, ConsentRequested, DisclosureRequested
from contracts.vocabulary import Channel, MessageKind, Recipient

NOTE_TIER = 0

_key_encoder = msgspec.json.Encoder()


class PlannedDelivery(msgspec.Struct, frozen=True, kw_only=True):
    """One message to one address, not yet claimed."""

    activation_id: UUID | None  # None for a consent request
    plan_id: UUID
    recipient_id: UUID
    recipient_name: str
    channel: Channel
    tier: int
    message: MessageKind
    request_id: UUID | None = None  # a consent request: each request is asked once
    about: UUID | None = None
    """For a note about one recipient (who could not be reached): that recipient."""

    def claim_key(self) -> str:
        """The ledger's unique key: the same delivery planned twice has the same key.

        JSON keeps it unambiguous whatever an address contains, and stable across
        processes (no hash seeds, no ordering of sets). ``about`` is in it only when set,
        so every other key is what it always was.
        """
        subject = self.activation_id or self.request_id or self.plan_id
        parts: tuple[str | int, ...] = (
            str(subject),
            str(self.recipient_id),
            self.channel.kind.value,
            self.channel.address,
            self.tier,
            self.message.value,
        )
        if self.about is not None:
            parts = (*parts, str(self.about))
        return _key_encoder.encode(parts).decode()


def recipients_in_tier(activation: PlanActivated, tier: int) -> list[Recipient]:
    """The recipients of ``tier`` in the order the frozen tier lists them.

    The planner leaves out every contact the activating partner did not agree to; a
    snapshot that still names one (its frozen choice says no alert) alerts them not.
    """
    by_id = {r.recipient_id: r for r in activation.recipients}
    ids = next((t.recipient_ids for t in activation.tiers if t.tier == tier), ())
    return [by_id[rid] for rid in ids if rid in by_id and _agreed(by_id[rid])]


def _agreed(recipient: Recipient) -> bool:
    return recipient.disclosure is None or recipient.disclosure.alert


def tier_deliveries(plan_id: UUID, activation: PlanActivated, tier: int) -> list[PlannedDelivery]:
    """The alert to every channel of every recipient in ``tier``."""
    return [
        _planned(plan_id, activation.activation_id, r.recipient_id, r.display_name, channel, tier)
        for r in recipients_in_tier(activation, tier)
        for channel in r.channels
    ]


def unreachable(activation: PlanActivated, tier: int) -> list[UUID]:
    """Recipients of ``tier`` with no channel: they cannot be alerted at all."""
    return [r.recipient_id for r in recipients_in_tier(activation, tier) if not r.channels]


def ack_note_deliveries(
    plan_id: UUID, activation: PlanActivated, acknowledged_by: UUID
) -> list[PlannedDelivery]:
    """Tell the one who asked that someone is on it.

    The key has no acknowledger in it, so a second acknowledgement sends no second note.
    """
    if acknowledged_by == activation.activated_by:
        return []  # nobody needs telling that they answered themselves
    return _to_activator(plan_id, activation, MessageKind.ACK_NOTE)


def no_answer_deliveries(plan_id: UUID, activation: PlanActivated) -> list[PlannedDelivery]:
    """Tell the one who asked that nobody has answered (last tier passed, or all failed)."""
    return _to_activator(plan_id, activation, MessageKind.NO_ANSWER)


def not_reached_deliveries(
    plan_id: UUID, activation: PlanActivated, recipient_id: UUID
) -> list[PlannedDelivery]:
    """Tell the one who asked that a recipient could not be reached yet, on every channel
    they have: a no-answer note about that recipient, once per recipient (its key says who).
    """
    if recipient_id == activation.activated_by:
        return []
    return [
        msgspec.structs.replace(note, about=recipient_id)
        for note in _to_activator(plan_id, activation, MessageKind.NO_ANSWER)
    ]


def all_clear_deliveries(
    plan_id: UUID, activation: PlanActivated, alerted: Iterable[tuple[UUID, Channel]]
) -> list[PlannedDelivery]:
    """An all-clear to exactly the (recipient, channel) pairs an alert was sent to."""
    names: dict[UUID, str] = {r.recipient_id: r.display_name for r in activation.recipients}
    unique = dict.fromkeys(alerted)  # keeps order, drops repeats
    clear = MessageKind.ALL_CLEAR
    return [
        _planned(plan_id, activation.activation_id, rid, names.get(rid, ""), ch, NOTE_TIER, clear)
        for rid, ch in unique
    ]


def consent_request_deliveries(plan_id: UUID, requested: ConsentRequested) -> list[PlannedDelivery]:
    """Ask a contact, on each of their own channels, whether they agree: once per request."""
    contact = (requested.contact_id, requested.contact_name, requested.channels)
    return _notes(plan_id, MessageKind.CONSENT_REQUEST, requested.request_id, None, [contact])


def disclosure_request_deliveries(
    plan_id: UUID, event_id: UUID, requested: DisclosureRequested
) -> list[PlannedDelivery]:
    """Ask a partner, on their own channels, whether a new contact may learn about them.

    Keyed by the event: a redelivery asks nothing twice.
    """
    partner = (requested.partner_id, requested.partner_name, requested.channels)
    kind = MessageKind.DISCLOSURE_REQUEST
    return _notes(plan_id, kind, event_id, requested.contact_id, [partner])


def consent_expiring_deliveries(
    plan_id: UUID, event_id: UUID, expiring: ConsentExpiring
) -> list[PlannedDelivery]:
    """Tell each partner, on their own channels, that a contact's consent ends soon."""
    kind = MessageKind.CONSENT_EXPIRING
    partners = [(p.recipient_id, p.display_name, p.channels) for p in expiring.partners]
    return _notes(plan_id, kind, event_id, expiring.contact_id, partners)


def _notes(
    plan_id: UUID,
    message: MessageKind,
    request_id: UUID,
    about: UUID | None,
    recipients: Iterable[tuple[UUID, str, tuple[Channel, ...]]],
) -> list[PlannedDelivery]:
    """A message outside any activation to each (id, name, channels), on each channel."""
    return [
        _planned(plan_id, None, recipient_id, name, channel, NOTE_TIER, message, request_id, about)
        for recipient_id, name, channels in recipients
        for channel in channels
    ]


def sign_in_link_deliveries(plan_id: UUID, event: SignInLinkRequested) -> list[PlannedDelivery]:
    """A partner's sign-in link, to the one channel they chose: once per link."""
    partner = (event.participant_id, event.display_name, (event.channel,))
    return _notes(plan_id, MessageKind.SIGN_IN_LINK, event.link_id, None, [partner])


def _to_activator(
    plan_id: UUID, activation: PlanActivated, message: MessageKind
) -> list[PlannedDelivery]:
    return [
        _planned(
            plan_id,
            activation.activation_id,
            activation.activated_by,
            activation.activator_name,
            channel,
            NOTE_TIER,
            message,
        )
        for channel in activation.activator_channels
    ]


def _planned(
    plan_id: UUID,
    activation_id: UUID | None,
    recipient_id: UUID,
    name: str,
    channel: Channel,
    tier: int,
    message: MessageKind = MessageKind.ALERT,
    request_id: UUID | None = None,
    about: UUID | None = None,
) -> PlannedDelivery:
    return PlannedDelivery(
        activation_id=activation_id,
        plan_id=plan_id,
        recipient_id=recipient_id,
        recipient_name=name,
        channel=channel,
        tier=tier,
        message=message,
        request_id=request_id,
        about=about,
    )
