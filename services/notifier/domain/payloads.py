"""The JSON body a webhook receiver gets: the same words, plus the facts a program needs.

Every body carries ``type``, ``timestamp`` and the activation's ``sequence``, so a receiver
never depends on arrival order. ``signs`` and ``note`` follow the same disclosure as the
text: a key is absent, not empty, when the recipient may not see it.
"""

from datetime import UTC, datetime
from typing import Any, assert_never

from contracts.vocabulary import MessageKind
from notifier.domain.alert_context import (
    AlertContext,
    disclosure_for,
    not_reached_name,
    reach_addresses,
)
from notifier.domain.deliveries import PlannedDelivery

EVENT_TYPES = {
    MessageKind.ALERT: "tandem.alert",
    MessageKind.ACK_NOTE: "tandem.ack_note",
    MessageKind.ALL_CLEAR: "tandem.all_clear",
    MessageKind.NO_ANSWER: "tandem.no_answer",
    MessageKind.CONSENT_REQUEST: "tandem.consent_request",
    MessageKind.DISCLOSURE_REQUEST: "tandem.disclosure_request",
    MessageKind.CONSENT_EXPIRING: "tandem.consent_expiring",
    MessageKind.SIGN_IN_LINK: "tandem.sign_in_link",
}


def rfc3339(at: datetime) -> str:
    """``at`` in UTC, e.g. ``2026-03-01T12:00:00Z``; a naive time has no meaning here."""
    if at.utcoffset() is None:
        raise ValueError("a message time must be timezone-aware")
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def webhook_payload(
    delivery: PlannedDelivery, context: AlertContext, subject: str, text: str
) -> dict[str, Any]:
    activation = context.activation
    body: dict[str, Any] = {
        "type": EVENT_TYPES[delivery.message],
        "timestamp": rfc3339(context.sent_at),
        "sequence": context.sequence,
        "plan_id": str(delivery.plan_id),
        "activation_id": None if delivery.activation_id is None else str(delivery.activation_id),
        "level": None if activation is None else activation.level.value,
        "recipient_id": str(delivery.recipient_id),
        "tier": delivery.tier,
        "subject": subject,
        "text": text,
        # The page a person opens; ``ack_url`` / ``consent_url`` are for programs.
        "page_url": context.page_url,
    }
    body.update(_details(delivery, context))
    return body


def _details(delivery: PlannedDelivery, context: AlertContext) -> dict[str, Any]:
    match delivery.message:
        case MessageKind.ALERT:
            return _alert_details(delivery, context)
        case MessageKind.ACK_NOTE:
            return {"acknowledged_by_name": context.acknowledged_by_name}
        case MessageKind.ALL_CLEAR:
            return {}
        case MessageKind.NO_ANSWER:
            return _no_answer_details(delivery, context)
        case MessageKind.CONSENT_REQUEST:
            return {"consent_url": context.consent_url, "requested_by": list(context.partner_names)}
        case MessageKind.DISCLOSURE_REQUEST:
            return {"contact_id": str(delivery.about), "contact_name": context.contact_name}
        case MessageKind.CONSENT_EXPIRING:
            ends = None if context.ends_at is None else rfc3339(context.ends_at)
            return {
                "contact_id": str(delivery.about),
                "contact_name": context.contact_name,
                "ends_at": ends,
            }
        case MessageKind.SIGN_IN_LINK:
            return {}  # the link is the page_url: a person's, not a program's
        case _:
            assert_never(delivery.message)


def _no_answer_details(delivery: PlannedDelivery, context: AlertContext) -> dict[str, Any]:
    """``not_reached`` names the recipient a note is about, when it is about one."""
    details: dict[str, Any] = {"crisis_resources": context.crisis_resources}
    if delivery.about is not None and context.activation is not None:
        details["not_reached"] = {
            "recipient_id": str(delivery.about),
            "display_name": not_reached_name(context.activation, delivery.about),
        }
    return details


def _alert_details(delivery: PlannedDelivery, context: AlertContext) -> dict[str, Any]:
    details: dict[str, Any] = {"ack_url": context.ack_url}
    activation = context.activation
    if activation is not None:
        details["activated_by"] = str(activation.activated_by)
        details["activator_name"] = activation.activator_name
        details["reach"] = reach_addresses(activation)
    shown = disclosure_for(delivery, context)
    if shown.signs is not None:
        details["signs"] = list(shown.signs)
    if shown.note is not None:
        details["note"] = shown.note
    return details
