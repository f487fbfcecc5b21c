"""The words the events are made of: levels, channels, consent scopes, tiers, recipients.

Value types shared by the event catalogue (``contracts.events``), the notifier's reports
(``contracts.delivery``) and both services. The evolution rules of the events hold here too.
"""

from enum import StrEnum
from typing import Annotated

import msgspec

from contracts.ids import ContactId, RecipientId

ShortText = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
LongText = Annotated[str, msgspec.Meta(max_length=4000)]
Sha256Hex = Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{64}$")]

# Where to turn in a crisis (TANDEM_CRISIS_RESOURCES overrides it): the notifier's "nobody
# answered" message and every page of the planner show it.
DEFAULT_CRISIS_RESOURCES = "If you are in crisis, call or text 988 (Suicide & Crisis Lifeline, US)."


class Level(StrEnum):
    WATCH = "watch"
    SETBACK = "setback"
    CRISIS = "crisis"


class ChannelKind(StrEnum):
    WEBHOOK = "webhook"
    EMAIL = "email"
    SMS = "sms"


class RecipientKind(StrEnum):
    PARTNER = "partner"
    CONTACT = "contact"


class DeliveryStatus(StrEnum):
    SENT = "sent"
    FAILED = "failed"


class MessageKind(StrEnum):
    """What a delivery carried: the alert itself, or one of the notes around it."""

    CONSENT_REQUEST = "consent_request"
    ALERT = "alert"
    ACK_NOTE = "ack_note"
    ALL_CLEAR = "all_clear"
    NO_ANSWER = "no_answer"
    DISCLOSURE_REQUEST = "disclosure_request"  # a partner is asked about a new contact
    CONSENT_EXPIRING = "consent_expiring"  # partners: a contact's consent ends soon
    SIGN_IN_LINK = "sign_in_link"


class Outcome(StrEnum):
    RESOLVED = "resolved"
    FALSE_ALARM = "false_alarm"


class Channel(msgspec.Struct, frozen=True, kw_only=True):
    kind: ChannelKind
    address: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class ConsentScope(msgspec.Struct, frozen=True, kw_only=True):
    """What a support contact agreed to: which levels, and what alerts may disclose."""

    levels: tuple[Level, ...] = (Level.WATCH, Level.SETBACK, Level.CRISIS)
    share_signs: bool = False
    share_notes: bool = False


class DisclosureChoice(msgspec.Struct, frozen=True, kw_only=True):
    """One partner's own choice about one support contact: whether that contact may be
    alerted when *this* partner asks for help, and what of theirs an alert may show. The
    contact's consent scope must allow it too."""

    alert: bool = False
    share_signs: bool = False
    share_note: bool = False


class Tier(msgspec.Struct, frozen=True, kw_only=True):
    contact_ids: tuple[ContactId, ...]
    ack_timeout_seconds: int


class Recipient(msgspec.Struct, frozen=True, kw_only=True):
    """A recipient as frozen into an activation: who, how to reach them, what they may see."""

    recipient_id: RecipientId
    kind: RecipientKind
    display_name: str
    tier: int
    channels: tuple[Channel, ...] = ()
    scope: ConsentScope | None = None
    # A contact: what the activating partner agreed that they may see (None: a partner,
    # or an activation from before partners chose; then the scope alone decides).
    disclosure: DisclosureChoice | None = None


class ActivationTier(msgspec.Struct, frozen=True, kw_only=True):
    tier: int
    recipient_ids: tuple[RecipientId, ...]
    ack_timeout_seconds: int


class Event(msgspec.Struct, frozen=True, kw_only=True, tag_field="type"):
    """Base of every plan event. The tag is permanent: it names the event in storage."""
