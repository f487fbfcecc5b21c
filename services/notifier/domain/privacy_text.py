"""The words of the messages about who may learn what: to a contact first asked for consent
(with the notice GDPR Art. 14 calls for: ``common.notice``, put in the context by the
caller), and to partners, when one is asked about a new contact and when a contact's
consent ends soon. None carries health detail.
"""

from datetime import datetime

import msgspec

from common.notice import partner_names
from notifier.domain.alert_context import AlertContext
from notifier.domain.deliveries import PlannedDelivery


class Note(msgspec.Struct, frozen=True, kw_only=True):
    """A message's words before the letter around them: the long form, the SMS form."""

    subject: str
    lines: tuple[str, ...]
    short_head: str
    short_parts: tuple[str, ...] = ()
    link: str | None = None
    link_label: str = ""


def consent_request(context: AlertContext) -> Note:
    names = partner_names(context.partner_names)
    asked = f"{names} would like you to be a support contact on their Tandem plan."
    lines = [
        asked,
        "You choose what, if anything, an alert may tell you, and you can change your mind"
        " at any time.",
        "",
        *context.notice,
    ]
    link = context.page_url or context.consent_url  # the page; the API's link for programs
    if link:
        lines += ["", "Read more, and say yes or no, here:", link]
    return Note(
        subject=f"{names} would like you to be a support contact",
        lines=tuple(lines),
        short_head=f"Tandem: {asked}",
        link=link,
        link_label="Yes or no:",
    )


def disclosure_request(delivery: PlannedDelivery, context: AlertContext) -> Note:
    """To the partner who did not add the contact: nothing of theirs is shared until they say."""
    adder = partner_names(context.partner_names)
    contact = context.contact_name.strip() or "someone"
    said = f"{adder} added {contact} as a support contact on your Tandem plan."
    lines = (
        said,
        f"{contact} will not be told anything about you unless you agree.",
        f"Open your plan to choose whether {contact} may be alerted when you ask for help, "
        "and what they may see.",
    )
    return Note(
        subject=f"May {contact} be told when you ask for help?",
        lines=lines,
        short_head=f"Tandem: {said} They learn nothing about you unless you agree in your plan.",
    )


def consent_expiring(context: AlertContext) -> Note:
    contact = context.contact_name.strip() or "A support contact"
    ends = _date(context.ends_at)
    said = f"{contact}'s agreement to be a support contact ends on {ends}."
    lines = (
        said,
        "After that they will not be alerted.",
        "To keep them, ask them again from your plan: they get a new link to say yes.",
    )
    return Note(
        subject=f"{contact}'s consent ends on {ends}",
        lines=lines,
        short_head=f"Tandem: {said} To keep them, ask again from your plan.",
    )


def _date(at: datetime | None) -> str:
    return "a date soon" if at is None else f"{at:%Y-%m-%d}"
