"""Decisions on each partner's own disclosure choices, and on telling partners a consent ends."""

from datetime import timedelta

from contracts.events import PlanEvent
from contracts.ids import RecipientId
from contracts.support_events import (
    ConsentExpiring,
    DisclosureChosen,
    DisclosureRequested,
    SupportContactAdded,
)
from contracts.vocabulary import Recipient, RecipientKind
from planner.domain.commands import AddSupportContact, NoticeConsentExpiry, SetDisclosure
from planner.domain.errors import InvalidCommand
from planner.domain.guards import contact_of
from planner.domain.state import ConsentStatus, PlanState


def ask_other_partners(
    state: PlanState, added: SupportContactAdded, command: AddSupportContact
) -> list[PlanEvent]:
    """Ask every partner but the one adding whether the new contact may learn about them.

    A partner who joins later has not been asked: they see the contact as not asked yet on
    the plan, and nothing of theirs reaches the contact until they choose.
    """
    return [
        DisclosureRequested(
            contact_id=added.contact_id,
            partner_id=partner.participant_id,
            partner_name=partner.display_name,
            contact_name=added.display_name,
            channels=command.partner_channels.get(partner.participant_id, ()),
            requested_by=added.added_by,
            requested_by_name=added.added_by_name,
            at=command.now,
        )
        for partner in state.partners
        if partner.participant_id != added.added_by
    ]


def set_disclosure(state: PlanState, command: SetDisclosure) -> list[PlanEvent]:
    """A partner's own choice about a contact; only ever their own."""
    contact = contact_of(state, command.contact_id)
    choice = command.choice
    if not choice.alert and (choice.share_signs or choice.share_note):
        raise InvalidCommand("alert", "signs or a note are shown only in an alert: allow it first")
    if contact.disclosures.get(command.actor) == choice:
        return []  # the same choice again
    chosen = DisclosureChosen(
        contact_id=contact.contact_id, partner_id=command.actor, choice=choice, at=command.now
    )
    return [chosen]


def notice_expiry(state: PlanState, command: NoticeConsentExpiry) -> list[PlanEvent]:
    """Tell the partners, once per consent, that it ends within the notice period."""
    contact = state.contacts.get(command.contact_id)
    if contact is None or contact.removed or contact.consent is not ConsentStatus.GIVEN:
        return []
    expires = contact.consent_expires_at
    if expires is None or contact.expiry_noticed == expires:
        return []
    if command.now < expires - timedelta(days=command.notice_days):
        return []
    partners = tuple(
        Recipient(
            recipient_id=RecipientId(p.participant_id),
            kind=RecipientKind.PARTNER,
            display_name=p.display_name,
            tier=0,
            channels=command.partner_channels.get(p.participant_id, ()),
        )
        for p in state.partners
    )
    expiring = ConsentExpiring(
        contact_id=contact.contact_id,
        contact_name=contact.display_name,
        expires_at=expires,
        partners=partners,
        at=command.now,
    )
    return [expiring]
