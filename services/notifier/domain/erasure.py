"""What erasing a person means to the notifier: who it is, and the text that is theirs.

An erasure event names a person by id only. What the notifier holds of them is text: their
name and addresses on the messages sent to them, their name, note and signs in the messages
about them, in the activations it keeps and in the plan's events still in JetStream.

Their note, reflections and check-ins are found by where they are: an activation they asked
for, an event that names them by id. Their **traces** are the rest, the strings that can
turn up anywhere in the plan (a name in a consent request or an answer's note, an address,
a sign another partner observed): gathered from the plan's events, whose fields say whose
each one is, and from the ledger. A message or row carrying a trace is about the person,
whoever it went to. Free text is no trace: a one-word note ("help") would match every alert.
"""

from collections.abc import Iterable, Iterator
from uuid import UUID

import msgspec

from contracts.erasure_events import ERASED, ParticipantErased, SupportContactErased
from contracts.events import (
    PartnerJoined,
    PlanActivated,
    PlanCreated,
    PlanEvent,
    SignInLinkRequested,
    WarningSignAdded,
    WarningSignRevised,
)
from contracts.support_events import (
    ConsentExpiring,
    ConsentRequested,
    DisclosureRequested,
    SupportContactAdded,
)
from contracts.vocabulary import Channel, Recipient

# Shorter strings (a two-letter name) would match inside ordinary words and blank messages
# that are not about the person; those are still found by their ids.
MIN_TRACE_LENGTH = 3

_json = msgspec.json.Encoder()


def erased_subject(event: PlanEvent) -> UUID | None:
    """The person an erasure event erases; None for every other event."""
    match event:
        case ParticipantErased():
            return event.participant_id
        case SupportContactErased():
            return event.contact_id
        case _:
            return None


def traces(subject: UUID, events: Iterable[PlanEvent]) -> frozenset[str]:
    """The strings of ``subject`` in ``events`` (in stream order: a sign's revisions follow
    its addition, which says whose it is)."""
    signs: set[UUID] = set()
    found: set[str] = set()
    for event in events:
        if isinstance(event, WarningSignAdded) and event.owner_id == subject:
            signs.add(event.sign_id)
        found.update(_theirs(event, subject, signs))
    return usable(found)


def usable(strings: Iterable[str]) -> frozenset[str]:
    """The strings worth looking for: not blank, not already erased, long enough."""
    return frozenset(
        s for s in (t.strip() for t in strings) if len(s) >= MIN_TRACE_LENGTH and s != ERASED
    )


def searchable(strings: Iterable[str]) -> list[str]:
    """Each string as written, and as it reads inside a JSON string (quotes, backslashes and
    control characters escaped), for looking into stored JSON text; sorted, no repeats."""
    forms = set()
    for text in strings:
        forms.add(text)
        forms.add(_json.encode(text).decode()[1:-1])
    return sorted(forms)


def mentions(text: str, strings: Iterable[str]) -> bool:
    return any(s in text for s in strings)


def scrub_activation(
    activation: PlanActivated, subject: UUID, strings: frozenset[str]
) -> PlanActivated:
    """The activation as kept once ``subject`` is erased: their name and addresses as a
    recipient, and, if they asked, their name, note and addresses as the one who asked, read
    as erased; a note by someone else that names them, too. Ids and tiers stay, so the
    activation's later steps (an all-clear, a late answer) still find their way."""
    theirs = activation.activated_by == subject
    note = activation.note
    if theirs or mentions(note, strings):
        note = ERASED
    name = ERASED if theirs and activation.activator_name else activation.activator_name
    return msgspec.structs.replace(
        activation,
        note=note,
        recipients=tuple(_scrub_recipient(r, subject) for r in activation.recipients),
        activator_name=name,
        activator_channels=() if theirs else activation.activator_channels,
    )


def _scrub_recipient(recipient: Recipient, subject: UUID) -> Recipient:
    if recipient.recipient_id != subject:
        return recipient
    return msgspec.structs.replace(recipient, display_name=ERASED, channels=())


def _theirs(event: PlanEvent, subject: UUID, signs: set[UUID]) -> Iterator[str]:  # noqa: PLR0912
    """The strings in ``event`` that are ``subject``'s (see the fields' owners in contracts)."""
    match event:
        case PlanCreated() if event.created_by == subject:
            yield event.creator_name
        case PartnerJoined() if event.participant_id == subject:
            yield event.display_name
        case WarningSignAdded() | WarningSignRevised() if event.sign_id in signs:
            yield event.description
        case SupportContactAdded():
            if event.contact_id == subject:
                yield from (event.display_name, event.relationship, *_addresses(event.channels))
            if event.added_by == subject:
                yield event.added_by_name
        case ConsentRequested():
            if event.contact_id == subject:
                yield from (event.contact_name, *_addresses(event.channels))
            if event.requested_by == subject:
                yield event.requested_by_name
        case DisclosureRequested():
            if event.partner_id == subject:
                yield from (event.partner_name, *_addresses(event.channels))
            if event.contact_id == subject:
                yield event.contact_name
            if event.requested_by == subject:
                yield event.requested_by_name
        case ConsentExpiring():
            if event.contact_id == subject:
                yield event.contact_name
            yield from _recipients(event.partners, subject)
        case PlanActivated():
            if event.activated_by == subject:
                yield from (event.activator_name, *_addresses(event.activator_channels))
            yield from _recipients(event.recipients, subject)
        case SignInLinkRequested() if event.participant_id == subject:
            yield from (event.display_name, event.channel.address)
        case _:
            return


def _recipients(recipients: Iterable[Recipient], subject: UUID) -> Iterator[str]:
    for recipient in recipients:
        if recipient.recipient_id == subject:
            yield from (recipient.display_name, *_addresses(recipient.channels))


def _addresses(channels: Iterable[Channel]) -> Iterator[str]:
    return (channel.address for channel in channels)
