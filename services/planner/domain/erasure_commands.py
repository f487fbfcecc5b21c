"""Commands that erase a person from a plan: a participant, or a support contact."""

from contracts.erasure_events import ContactErasedBy, ParticipantErasedBy
from contracts.ids import ContactId, ParticipantId
from planner.domain.commands import Command


class EraseParticipant(Command, frozen=True, kw_only=True):
    """``by``: ``self`` (the participant asked) or ``operator``."""

    participant_id: ParticipantId
    by: ParticipantErasedBy


class EraseSupportContact(Command, frozen=True, kw_only=True):
    """``by``: ``partner`` (then ``actor`` is that partner), ``operator``, or ``self`` (the
    contact, through the link of their consent request)."""

    contact_id: ContactId
    by: ContactErasedBy
    actor: ParticipantId | None = None


ErasureCommand = EraseParticipant | EraseSupportContact
