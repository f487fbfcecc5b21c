"""Fold the events about support contacts: who they are, their consent, each partner's choice.

Part of ``evolve``; events are facts, applied without checking rules again.
"""

from datetime import timedelta
from typing import assert_never

from msgspec.structs import replace

from contracts.support_events import (
    CONSENT_DAYS_DEFAULT,
    ConsentDeclined,
    ConsentExpiring,
    ConsentGiven,
    ConsentRequested,
    ConsentWithdrawn,
    DisclosureChosen,
    DisclosureRequested,
    SupportContactAdded,
    SupportContactRemoved,
)
from contracts.vocabulary import DisclosureChoice
from planner.domain.state import ConsentRequest, ConsentStatus, PlanState, SupportContact

ContactEvent = (
    SupportContactAdded
    | ConsentRequested
    | ConsentGiven
    | ConsentDeclined
    | ConsentWithdrawn
    | SupportContactRemoved
    | DisclosureRequested
    | DisclosureChosen
    | ConsentExpiring
)

# What a contact added before partners chose meant for the partner who added them: every
# alert, narrowed only by the contact's own scope (``SupportContactAdded``).
AGREED_BEFORE_CHOICES = DisclosureChoice(alert=True, share_signs=True, share_note=True)

_CONSENT_STATUS = {
    ConsentGiven: ConsentStatus.GIVEN,
    ConsentDeclined: ConsentStatus.DECLINED,
    ConsentWithdrawn: ConsentStatus.WITHDRAWN,
}


def apply_contact_event(state: PlanState, event: ContactEvent) -> PlanState:
    match event:
        case SupportContactAdded():
            return _with(state, _added(event))
        case ConsentRequested():
            # A new request replaces the last one: only its link answers from now on.
            request = ConsentRequest(
                request_id=event.request_id,
                expires_at=event.expires_at,
                consent_days=event.consent_days,
            )
            return _with(state, replace(state.contacts[event.contact_id], request=request))
        case ConsentGiven() | ConsentDeclined() | ConsentWithdrawn():
            return _with(state, _consent_changed(state.contacts[event.contact_id], event))
        case SupportContactRemoved():
            return _with(state, replace(state.contacts[event.contact_id], removed=True))
        case DisclosureRequested():
            contact = state.contacts[event.contact_id]
            asked = (*contact.disclosure_asked, event.partner_id)
            return _with(state, replace(contact, disclosure_asked=asked))
        case DisclosureChosen():
            contact = state.contacts[event.contact_id]
            disclosures = {**contact.disclosures, event.partner_id: event.choice}
            return _with(state, replace(contact, disclosures=disclosures))
        case ConsentExpiring():
            contact = state.contacts[event.contact_id]
            return _with(state, replace(contact, expiry_noticed=event.expires_at))
        case _:
            assert_never(event)


def _with(state: PlanState, contact: SupportContact) -> PlanState:
    return replace(state, contacts={**state.contacts, contact.contact_id: contact})


def _added(event: SupportContactAdded) -> SupportContact:
    adder = event.adder_disclosure or AGREED_BEFORE_CHOICES
    return SupportContact(
        contact_id=event.contact_id,
        display_name=event.display_name,
        relationship=event.relationship,
        channels=event.channels,
        added_by=event.added_by,
        disclosures={event.added_by: adder},
    )


def _consent_changed(
    contact: SupportContact, event: ConsentGiven | ConsentDeclined | ConsentWithdrawn
) -> SupportContact:
    # Only a current consent has a scope and an end: declining or withdrawing clears them.
    status = _CONSENT_STATUS[type(event)]
    request = contact.request
    if request is not None and request.request_id == event.request_id:
        request = replace(request, answer=status)
    expires_at = None
    if isinstance(event, ConsentGiven):
        expires_at = event.expires_at or event.at + timedelta(days=CONSENT_DAYS_DEFAULT)
    return replace(
        contact,
        consent=status,
        scope=event.scope if isinstance(event, ConsentGiven) else None,
        consent_changed_at=event.at,
        request=request,
        consent_expires_at=expires_at,
    )
