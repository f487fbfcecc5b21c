"""The plan's events that erase a person: a participant, or a support contact.

Part of the one tagged union in ``contracts.events``, under the same evolution rules. They
carry ids only, never anything personal: an erasure must not itself store what it erases.
Every personal field about the person in earlier events was sealed under the person's data
key; erasing deletes that key (crypto-shredding), so those fields read as erased from then
on, while the events themselves, and the hash chain over them, stay as they were.
"""

from datetime import datetime
from typing import Annotated

import msgspec

from contracts.ids import ContactId, ParticipantId
from contracts.vocabulary import Event

# Who asked for a participant's erasure: the participant themself, or an operator.
ParticipantErasedBy = Annotated[str, msgspec.Meta(pattern="^(self|operator)$")]
# Who asked for a contact's erasure: a partner of the plan, an operator, or the contact
# themself (from the page their consent link opens).
ContactErasedBy = Annotated[str, msgspec.Meta(pattern="^(partner|operator|self)$")]


class ParticipantErased(Event, frozen=True, kw_only=True, tag="plan.participant_erased"):
    """A partner is erased: they leave the plan (the other partner keeps it), and everything
    they wrote or that names them reads as erased."""

    participant_id: ParticipantId
    at: datetime
    by: ParticipantErasedBy


class SupportContactErased(Event, frozen=True, kw_only=True, tag="plan.support_contact_erased"):
    """A support contact is erased: they leave the plan, and their name, relationship and
    addresses read as erased wherever they were stored."""

    contact_id: ContactId
    at: datetime
    by: ContactErasedBy


ERASED = "[erased]"
"""What an erased person's text reads as, wherever it was: short, and a valid value for every
string field of the contracts (a name, a description, a note)."""
