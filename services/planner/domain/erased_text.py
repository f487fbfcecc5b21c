"""The text of a person a plan's state holds, for finding copies of it outside the events.

Before a person is erased, this says what to look for in the stores that keep copies of
answers (an ``Idempotency-Key``'s stored response holds the plan or the item as it was
then): their name and addresses, and what they wrote. Texts shorter than ``MIN_LENGTH``
are left out: they would match nearly anything and identify nobody.
"""

from uuid import UUID

from contracts.ids import ContactId, ParticipantId
from planner.domain.state import PlanState

MIN_LENGTH = 4


def of_participant(state: PlanState, participant_id: ParticipantId) -> set[str]:
    """Their name, their signs, the notes and reflections they wrote, their addresses as
    frozen into activations."""
    found: set[str] = set()
    found.update(p.display_name for p in state.partners if p.participant_id == participant_id)
    found.update(s.description for s in state.signs.values() if s.owner_id == participant_id)
    found.update(c.note for c in state.check_ins if c.participant_id == participant_id)
    for activation in state.activations.values():
        if activation.activated_by == participant_id:
            found.add(activation.note)
            found.update(c.address for c in activation.activator_channels)
        if activation.resolved_by == participant_id:
            found.add(activation.reflection)
    found.update(_recipient_text(state, participant_id))
    return _kept(found)


def of_contact(state: PlanState, contact_id: ContactId) -> set[str]:
    """Their name and addresses, on the plan and as frozen into activations."""
    found: set[str] = set()
    contact = state.contacts.get(contact_id)
    if contact is not None:
        found.add(contact.display_name)
        found.update(c.address for c in contact.channels)
    found.update(_recipient_text(state, contact_id))
    return _kept(found)


def _recipient_text(state: PlanState, person: UUID) -> set[str]:
    found: set[str] = set()
    for activation in state.activations.values():
        for recipient in activation.recipients:
            if recipient.recipient_id == person:
                found.add(recipient.display_name)
                found.update(c.address for c in recipient.channels)
    return found


def _kept(found: set[str]) -> set[str]:
    return {text for text in found if len(text.strip()) >= MIN_LENGTH}
