"""What each message tells its recipient about whom: one rule, read by both services.

The notifier words every message by it (``notifier.domain.alert_context``: what of the
activation a recipient may see) and the planner's accounting of disclosures says by it
which fields of a person each sent message carried, so the two cannot drift apart: a
test renders every message on every channel and checks the words against this rule.

A message is about people other than its recipient in these roles (``Named``): the
partner who asked for help (alerts, all-clears), the one who answered (the note to the
asker that someone is on it), the one who could not be reached (the note to the asker),
and the partner who asked a contact to consent or added a contact (the request to the
contact; the question to the other partner). What the recipient reads about themself
(their own name in "Hi …") is not a disclosure, nor is a note to the asker about the
asker's own request.

The rule says what a message *may* carry; the accounting then leaves out a field that was
empty (no note written, no sign observed, no e-mail or phone to reach the asker on, no
name given), since an empty field tells nothing.
"""

from enum import StrEnum
from typing import Literal, assert_never

from contracts.vocabulary import ChannelKind, MessageKind, Recipient, RecipientKind


class Field(StrEnum):
    """What a message can carry about a person."""

    NAME = "name"  # their display name
    LEVEL = "level"  # the level of trouble they asked for help at
    SIGNS = "signs"  # descriptions of their warning signs observed in the activation
    NOTE = "note"  # the note they wrote when asking for help
    CONTACT_DETAILS = "contact_details"  # their e-mail addresses and phone numbers


class Named(StrEnum):
    """Whom, besides its recipient, a message is about."""

    ASKER = "asker"  # the partner who asked for help
    HELPER = "helper"  # who acknowledged: named to the asker
    UNREACHED = "unreached"  # who could not be reached yet: named to the asker
    REQUESTER = "requester"  # who asked a contact to consent, or added a contact


Carried = dict[Named, frozenset[Field]]

_ASKED = frozenset({Field.NAME, Field.LEVEL, Field.CONTACT_DETAILS})
_NAME = frozenset({Field.NAME})


def may_see(recipient: Recipient, what: Literal["signs", "note"]) -> bool:
    """Whether a recipient of an activation may read the asker's signs or note.

    The other partner reads both; a contact only what their own consent scope AND the
    asking partner's choice allow (an activation from before partners chose froze no
    choice: the scope alone decides). A contact without a frozen scope reads neither.
    """
    if recipient.kind is RecipientKind.PARTNER:
        return True
    scope, chosen = recipient.scope, recipient.disclosure
    if scope is None:
        return False
    if what == "signs":
        return scope.share_signs and (chosen is None or chosen.share_signs)
    return scope.share_notes and (chosen is None or chosen.share_note)


def carried(
    message: MessageKind,
    channel: ChannelKind,
    recipient: Recipient | None = None,
    *,
    names_someone: bool = False,
) -> Carried:
    """What a message may carry about whom.

    ``recipient``: for an alert or an all-clear, the recipient as frozen into the
    activation (None: someone the activation does not name, who is told nothing of it).
    ``names_someone``: for a no-answer note, whether it is about one recipient (who could
    not be reached) rather than about nobody answering.
    """
    match message:
        case MessageKind.ALERT:
            if recipient is None:
                return {}
            shown = _ASKED | {f for f, w in _SHOWABLE if may_see(recipient, w)}
            return {Named.ASKER: frozenset(shown)}
        case MessageKind.ALL_CLEAR:
            # A webhook body names the level of every message of an activation; the words
            # of an all-clear do not.
            level = {Field.LEVEL} if channel is ChannelKind.WEBHOOK else set()
            return {Named.ASKER: _NAME | level} if recipient is not None else {}
        case MessageKind.ACK_NOTE:
            return {Named.HELPER: _NAME}
        case MessageKind.NO_ANSWER:
            return {Named.UNREACHED: _NAME} if names_someone else {}
        case MessageKind.CONSENT_REQUEST | MessageKind.DISCLOSURE_REQUEST:
            return {Named.REQUESTER: _NAME}
        case MessageKind.CONSENT_EXPIRING:
            return {}  # about a contact, to the partners: nothing of a partner's
        case MessageKind.SIGN_IN_LINK:
            return {}  # a partner's own link, to their own channel: about nobody else
        case _:
            assert_never(message)


_SHOWABLE: tuple[tuple[Field, Literal["signs", "note"]], ...] = (
    (Field.SIGNS, "signs"),
    (Field.NOTE, "note"),
)
