"""Who may learn about whom: each partner's own choice, their "do not involve" list, consent ends.

Three things must all allow a support contact to be told that a partner asked for help:
the contact's own consent (current, covering the level), the activating partner's own
choice about that contact (``DisclosureChoice.alert``), and that partner's "do not
involve" list, which overrides both. Signs and the note are shown only when the contact's
scope and the activating partner's choice both allow them.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Final

from common.channels.addresses import email_address, phone_number
from contracts.ids import ParticipantId
from contracts.support_events import CONSENT_DAYS_DEFAULT
from contracts.vocabulary import Channel, ChannelKind, Level
from planner.domain.errors import InvalidCommand, RuleViolated
from planner.domain.state import ConsentStatus, SupportContact

RENEWAL_WINDOW: Final = timedelta(days=30)
"""A given consent may be renewed (a new request) once it ends within this, or has ended."""


def address_key(kind: ChannelKind, address: str) -> str | None:
    """A channel's address as a "do not involve" list compares it; None for a webhook.

    E-mail addresses compare without case, phone numbers as E.164, so "Jo@Example.org"
    and "jo@example.org", "+1 (555) 010-0177" and "+15550100177" are one person.
    """
    match kind:
        case ChannelKind.EMAIL:
            email = email_address(address)
            return None if email is None else f"email:{email.lower()}"
        case ChannelKind.SMS:
            phone = phone_number(address)
            return None if phone is None else f"sms:{phone}"
        case _:
            return None


def listed_key(kind: str, address: str) -> str:
    """The key a "do not involve" entry for ``address`` is kept under; refused in plain
    words when it is not an e-mail address (``email``) or a phone number (``sms``)."""
    key = address_key(ChannelKind(kind), address)
    if key is None:
        wanted = "an e-mail address" if kind == "email" else "a phone number, e.g. +1555…"
        raise InvalidCommand("address", f"address is not {wanted}")
    return key


def keys_of(channels: Iterable[Channel]) -> set[str]:
    keys = (address_key(c.kind, c.address) for c in channels)
    return {key for key in keys if key is not None}


def refuse_listed(
    channels: Iterable[Channel], listed: Mapping[str, ParticipantId], actor: ParticipantId
) -> None:
    """Refuse a contact whose address is on either partner's "do not involve" list.

    The reason stays with the partner who wrote it: the error says only whose list.
    """
    owners = {listed[key] for key in keys_of(channels) if key in listed}
    if not owners:
        return
    if actor in owners:
        detail = (
            "this person is on your 'do not involve' list, so they cannot be a support "
            "contact: take them off the list first if you changed your mind"
        )
    else:
        detail = (
            "your partner has asked that this person is never involved, so they cannot be "
            "a support contact on this plan"
        )
    raise RuleViolated("do_not_involve", detail)


def consent_days(days: int) -> int:
    if not 1 <= days <= CONSENT_DAYS_DEFAULT:
        raise InvalidCommand(
            "consent_days", f"a consent lasts from 1 to {CONSENT_DAYS_DEFAULT} days"
        )
    return days


def may_alert(
    contact: SupportContact,
    level: Level,
    activator: ParticipantId,
    now: datetime,
    listed: frozenset[str] = frozenset(),
) -> bool:
    """Whether ``contact`` may be told that ``activator`` asked for help at ``level``."""
    scope = contact.scope
    return (
        not contact.removed
        and contact.consent_at(now) is ConsentStatus.GIVEN
        and scope is not None
        and level in scope.levels
        and contact.allows(activator).alert
        and not keys_of(contact.channels) & listed
    )


def may_renew(contact: SupportContact, now: datetime) -> bool:
    """A given consent can be asked again only near its end (or after it)."""
    if contact.consent is not ConsentStatus.GIVEN:
        return True
    expires = contact.consent_expires_at
    return expires is not None and now >= expires - RENEWAL_WINDOW
