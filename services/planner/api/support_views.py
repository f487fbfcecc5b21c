"""How a support contact reads to the plan's readers: consent (expired past its end), each
partner's own disclosure choice, and whether the reader listed them as "do not involve"."""

from datetime import datetime
from uuid import UUID

import msgspec

from contracts.ids import ParticipantId
from contracts.vocabulary import Channel, ConsentScope
from planner.domain.privacy import keys_of
from planner.domain.state import PlanState, SupportContact


class DisclosureView(msgspec.Struct, frozen=True, kw_only=True):
    """One partner's own choice about a contact: ``agreed`` (with what may be shown),
    ``refused``, ``asked`` (a message went to them; no answer yet) or ``not_asked``."""

    participant_id: UUID
    status: str
    share_signs: bool = False
    share_note: bool = False


class SupportView(msgspec.Struct, frozen=True, kw_only=True):
    contact_id: UUID
    display_name: str
    relationship: str
    channels: tuple[Channel, ...]
    consent: str
    scope: ConsentScope | None
    removed: bool
    # When the link of their latest consent request stops working (None: never asked
    # through a link of its own); ask again after it, or after they declined or withdrew.
    consent_requested_until: datetime | None = None
    consent_expires_at: datetime | None = None  # a given consent ends then (then "expired")
    disclosures: tuple[DisclosureView, ...] = ()  # each partner's own choice
    do_not_involve: bool = False  # an address of theirs is on the reader's own list


def support_view(
    contact: SupportContact, state: PlanState, now: datetime, listed: frozenset[str]
) -> SupportView:
    """A contact as the plan's readers see it at ``now``; ``listed``: the reader's own
    "do not involve" keys (never the other partner's, never a reason)."""
    request = contact.request
    return SupportView(
        contact_id=contact.contact_id,
        display_name=contact.display_name,
        relationship=contact.relationship,
        channels=contact.channels,
        consent=contact.consent_at(now).value,
        scope=contact.scope,
        removed=contact.removed,
        consent_requested_until=None if request is None else request.expires_at,
        consent_expires_at=contact.consent_expires_at,
        disclosures=tuple(_disclosure(contact, p.participant_id) for p in state.partners),
        do_not_involve=bool(keys_of(contact.channels) & listed),
    )


def _disclosure(contact: SupportContact, partner_id: UUID) -> DisclosureView:
    choice = contact.disclosures.get(ParticipantId(partner_id))
    if choice is None:
        status = "asked" if partner_id in contact.disclosure_asked else "not_asked"
        return DisclosureView(participant_id=partner_id, status=status)
    return DisclosureView(
        participant_id=partner_id,
        status="agreed" if choice.alert else "refused",
        share_signs=choice.share_signs,
        share_note=choice.share_note,
    )
