"""Fold the erasure events: the person leaves the plan, and their text leaves the state.

Part of ``evolve``. A state folded before an erasure held the person's text in memory; a
state folded again later, from events whose personal fields now read as erased, did not.
Both end the same here: every field the person wrote or that names them reads ``ERASED``,
and what was theirs alone (their check-ins, their choices about contacts) is gone.
"""

from typing import assert_never
from uuid import UUID

from msgspec.structs import replace

from contracts.erasure_events import ERASED, ParticipantErased, SupportContactErased
from contracts.ids import ContactId, ParticipantId
from contracts.vocabulary import Recipient
from planner.domain.state import Activation, PlanState, SupportContact

ErasureEvent = ParticipantErased | SupportContactErased


def apply_erasure(state: PlanState, event: ErasureEvent) -> PlanState:
    match event:
        case ParticipantErased():
            return _participant_erased(state, event.participant_id)
        case SupportContactErased():
            return _contact_erased(state, event.contact_id)
        case _:
            assert_never(event)


def _participant_erased(state: PlanState, erased: ParticipantId) -> PlanState:
    # Their signs stay, retired, so activations and check-ins that point at them still do.
    signs = {
        sign_id: replace(sign, category=ERASED, description=ERASED, retired=True)
        if sign.owner_id == erased
        else sign
        for sign_id, sign in state.signs.items()
    }
    contacts = {
        contact_id: _without_choices_of(contact, erased)
        for contact_id, contact in state.contacts.items()
    }
    activations = {
        activation_id: _without_participant(activation, erased)
        for activation_id, activation in state.activations.items()
    }
    return replace(
        state,
        partners=tuple(p for p in state.partners if p.participant_id != erased),
        signs=signs,
        contacts=contacts,
        activations=activations,
        check_ins=tuple(c for c in state.check_ins if c.participant_id != erased),
        erased=(*state.erased, erased),
    )


def _without_choices_of(contact: SupportContact, erased: ParticipantId) -> SupportContact:
    return replace(
        contact,
        disclosures={p: c for p, c in contact.disclosures.items() if p != erased},
        disclosure_asked=tuple(p for p in contact.disclosure_asked if p != erased),
    )


def _without_participant(activation: Activation, erased: ParticipantId) -> Activation:
    if activation.activated_by == erased:
        activation = replace(activation, note=ERASED, activator_channels=())
    if activation.resolved_by == erased:
        activation = replace(activation, reflection=ERASED)
    return _without_recipient(activation, erased)


def _contact_erased(state: PlanState, erased: ContactId) -> PlanState:
    contacts = dict(state.contacts)
    contact = contacts.get(erased)
    if contact is not None:
        contacts[erased] = replace(
            contact,
            display_name=ERASED,
            relationship=ERASED,
            channels=(),
            removed=True,
            request=None,
        )
    activations = {
        activation_id: _without_recipient(activation, erased)
        for activation_id, activation in state.activations.items()
    }
    return replace(
        state, contacts=contacts, activations=activations, erased=(*state.erased, erased)
    )


def _without_recipient(activation: Activation, erased: UUID) -> Activation:
    """The activation with the erased person, if a recipient, frozen without name or address."""
    if not any(r.recipient_id == erased for r in activation.recipients):
        return activation
    recipients = tuple(_erased(r) if r.recipient_id == erased else r for r in activation.recipients)
    return replace(activation, recipients=recipients)


def _erased(recipient: Recipient) -> Recipient:
    return replace(recipient, display_name=ERASED, channels=())
