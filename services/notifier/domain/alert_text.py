"""The words people read: minimal, kind, and no health detail a contact did not agree to.

Every message says who it is about and what, if anything, to do. An alert names who asked for
help, the level, how to reach them and the one-tap acknowledge link; warning signs and the note
appear only as ``alert_context.disclosure_for`` allows. No text names a substance or a diagnosis.
An SMS gets a short form whose words (links aside) stay under ``SMS_TEXT_LIMIT`` characters:
optional parts are clipped or dropped, never the link.
"""

from collections.abc import Sequence
from typing import Any, assert_never

import msgspec

from contracts.events import PlanActivated
from contracts.vocabulary import DEFAULT_CRISIS_RESOURCES, ChannelKind, MessageKind
from notifier.domain import privacy_text
from notifier.domain.alert_context import (
    AlertContext,
    disclosure_for,
    is_plan_member,
    not_reached_name,
    reach_addresses,
)
from notifier.domain.deliveries import PlannedDelivery
from notifier.domain.payloads import webhook_payload
from notifier.domain.privacy_text import Note

__all__ = ["DEFAULT_CRISIS_RESOURCES", "SMS_TEXT_LIMIT", "AlertContext", "Rendered", "render"]

SMS_TEXT_LIMIT = 320  # two SMS segments; a link is too long to count and never clipped
_HEAD_LIMIT = 160
_TO_PARTNERS = (
    MessageKind.DISCLOSURE_REQUEST,
    MessageKind.CONSENT_EXPIRING,
    MessageKind.SIGN_IN_LINK,
)
_MIN_CLIPPED = 24  # shorter than this, a clipped part says nothing useful: drop it


class Rendered(msgspec.Struct, frozen=True, kw_only=True):
    """``text`` is the form for the delivery's channel: the short one for SMS."""

    subject: str
    text: str
    payload: dict[str, Any]


class MissingActivation(ValueError):
    """A message about an activation was rendered without it."""

    def __init__(self, message: MessageKind) -> None:
        super().__init__(f"a {message} message needs its activation")
        self.message = message


class _Draft(msgspec.Struct, frozen=True):
    subject: str
    full: str
    short: str


def render(delivery: PlannedDelivery, context: AlertContext) -> Rendered:
    draft = _draft(delivery, context)
    text = draft.short if delivery.channel.kind is ChannelKind.SMS else draft.full
    payload = webhook_payload(delivery, context, draft.subject, draft.full)
    return Rendered(subject=draft.subject, text=text, payload=payload)


def _draft(delivery: PlannedDelivery, context: AlertContext) -> _Draft:
    match delivery.message:
        case MessageKind.ALERT:
            return _alert(delivery, context)
        case MessageKind.ACK_NOTE:
            return _ack_note(delivery, context)
        case MessageKind.ALL_CLEAR:
            return _all_clear(delivery, context)
        case MessageKind.NO_ANSWER:
            return _no_answer(delivery, context)
        case MessageKind.CONSENT_REQUEST:
            return _note(delivery, context, privacy_text.consent_request(context))
        case MessageKind.DISCLOSURE_REQUEST:
            return _note(delivery, context, privacy_text.disclosure_request(delivery, context))
        case MessageKind.CONSENT_EXPIRING:
            return _note(delivery, context, privacy_text.consent_expiring(context))
        case MessageKind.SIGN_IN_LINK:
            return _sign_in_link(delivery, context)
        case _:
            assert_never(delivery.message)


def _alert(delivery: PlannedDelivery, context: AlertContext) -> _Draft:
    activation = _activation(delivery, context)
    who, level = _who(activation), activation.level.value
    shown = disclosure_for(delivery, context)
    reach = reach_addresses(activation)
    lines = [f"{who} has asked for help. Level: {level}.", "", _reach_line(reach)]
    if shown.signs:
        lines += ["", "Signs they noticed:", *(f"- {sign}" for sign in shown.signs)]
    if shown.note:
        lines += ["", "Their note:", shown.note]
    link = context.page_url or context.ack_url
    if link:
        lines += ["", f"Tap to let {who} know you are on it:", link]
    short_parts = [
        f"Reach them: {', '.join(reach)}." if reach else "",
        f"Signs: {'; '.join(shown.signs)}." if shown.signs else "",
        f"Note: {shown.note}" if shown.note else "",
    ]
    return _Draft(
        subject=f"{who} asked for your help",
        full=_letter(delivery, context, lines),
        short=sms_text(
            f"Tandem: {who} asked for help ({level}).",
            short_parts,
            link=link,
            link_label="Tap if you are on it:",
        ),
    )


def _ack_note(delivery: PlannedDelivery, context: AlertContext) -> _Draft:
    _activation(delivery, context)
    helper = (context.acknowledged_by_name or "").strip() or "Someone you trust"
    said = f"{helper} saw that you asked for help and is on it."
    return _Draft(
        subject=f"{helper} is on it",
        full=_letter(delivery, context, [said, *_see(context, "See your request:")]),
        short=sms_text(f"Tandem: {said}", [], link=context.page_url),
    )


def _all_clear(delivery: PlannedDelivery, context: AlertContext) -> _Draft:
    who = _who(_activation(delivery, context))
    said = f"All clear: the request for help from {who} is closed."
    lines = [said, "Nobody needs to do anything more.", "", "Thank you for being there."]
    return _Draft(
        subject="All clear",
        full=_letter(delivery, context, [*lines, *_see(context, "See it here:")]),
        short=sms_text(f"Tandem: {said} Nothing more to do. Thank you.", [], link=context.page_url),
    )


def _no_answer(delivery: PlannedDelivery, context: AlertContext) -> _Draft:
    activation = _activation(delivery, context)
    if delivery.about is not None:
        return _not_reached(delivery, context, not_reached_name(activation, delivery.about))
    said = "Nobody has answered your request for help yet."
    lines = [said, "Please keep reaching out to someone you trust.", "", context.crisis_resources]
    return _Draft(
        subject="Nobody has answered yet",
        full=_letter(delivery, context, [*lines, *_see(context, "See who was told:")]),
        short=sms_text(f"Tandem: {said}", [context.crisis_resources], link=context.page_url),
    )


def _not_reached(delivery: PlannedDelivery, context: AlertContext, name: str) -> _Draft:
    said = f"We could not reach {name} yet."
    lines = [
        said,
        "Tandem keeps trying. If you can, reach out to someone else you trust.",
        "",
        context.crisis_resources,
    ]
    return _Draft(
        subject=f"We could not reach {name} yet",
        full=_letter(delivery, context, [*lines, *_see(context, "See who was told:")]),
        short=sms_text(
            f"Tandem: {said} We keep trying.", [context.crisis_resources], link=context.page_url
        ),
    )


def _note(delivery: PlannedDelivery, context: AlertContext, note: Note) -> _Draft:
    return _Draft(
        subject=note.subject,
        full=_letter(delivery, context, note.lines),
        short=sms_text(
            note.short_head, note.short_parts, link=note.link, link_label=note.link_label
        ),
    )


def _sign_in_link(delivery: PlannedDelivery, context: AlertContext) -> _Draft:
    said = "Here is your link to sign in to Tandem on another device. It works once, for 15 min."
    lines = [said, *_see(context, "Sign in here:"), "", "Did not ask for it? Ignore this message."]
    short = sms_text(f"Tandem: {said}", [], link=context.page_url)
    return _Draft("Your Tandem sign-in link", _letter(delivery, context, lines), short)


def sms_text(
    head: str, optional: Sequence[str], *, link: str | None = None, link_label: str = ""
) -> str:
    """``head``, then as many ``optional`` parts as fit (the last one clipped), then the link.

    The words stay under ``SMS_TEXT_LIMIT``; the link is never clipped, it would not work.
    """
    words = _clip(head, _HEAD_LIMIT)
    tail = (f"\n{link_label} " if link_label else "\n") if link else ""  # the link goes last
    for part in filter(None, (" ".join(p.split()) for p in optional)):
        room = SMS_TEXT_LIMIT - 1 - len(words) - len(tail) - 1  # 1: the space before ``part``
        if len(part) > room and room < _MIN_CLIPPED:
            continue  # a later, shorter part may still fit
        words += " " + _clip(part, room)
    return f"{words}{tail}{link or ''}"


def _see(context: AlertContext, label: str) -> list[str]:
    """The lines that link the message's page, when it has one."""
    return ["", label, context.page_url] if context.page_url else []


def _letter(delivery: PlannedDelivery, context: AlertContext, lines: Sequence[str]) -> str:
    name = delivery.recipient_name.strip() or "there"
    return "\n".join([f"Hi {name},", "", *lines, "", _footer(delivery, context)])


def _footer(delivery: PlannedDelivery, context: AlertContext) -> str:
    """Why this person gets the message."""
    if is_plan_member(delivery, context) or delivery.message in _TO_PARTNERS:
        return "Sent by Tandem for your plan."
    if context.activation is None:
        return "Nothing about anyone is shared with you unless you agree."
    return f"Sent by Tandem because you agreed to support {_who(context.activation)}."


def _reach_line(reach: Sequence[str]) -> str:
    if not reach:
        return "Reach out to them the way you usually do."
    return f"Reach them at {' or '.join(reach)}."


def _activation(delivery: PlannedDelivery, context: AlertContext) -> PlanActivated:
    if context.activation is None:
        raise MissingActivation(delivery.message)
    return context.activation


def _who(activation: PlanActivated) -> str:
    return activation.activator_name.strip() or "Someone you support"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
