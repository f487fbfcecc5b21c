"""Signed links in stored messages: a slot when claimed, the link only when sent.

A link is a capability (whoever holds it may acknowledge an alert, or give consent), so the
ledger never keeps one. A message is rendered with a slot where its link goes; the slot
holds only what is neither secret nor on the claim's row (when the link expires, and the
consent request it answers). The sender fills each slot from the claim's own plan,
activation and recipient ids and the service secret (``common.links``), so a link only
ever names the claim's own recipient and goes to the claim's own address, and every try of
one claim carries the very same link.
"""

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec

from common.links import ack_link, activation_page, consent_link, sign_in_link
from notifier.ledger.leasing import Lease

# A kind ending in "-page" is the page a person opens; without it, the JSON operation.
_SLOT = re.compile(
    r"\{\{tandem-link:(ack|consent|activation|sign-in)(-page)?:(\d{1,12})(?::([0-9a-f-]{36}))?\}\}"
)


def ack_slot(expires_at: datetime, *, page: bool = False) -> str:
    """Where the acknowledge link goes, valid until ``expires_at``."""
    kind = "ack-page" if page else "ack"
    return "{{tandem-link:%s:%d}}" % (kind, int(expires_at.timestamp()))  # noqa: UP031 - braces


def consent_slot(request_id: UUID, expires_at: datetime, *, page: bool = False) -> str:
    """Where the link that answers consent request ``request_id`` goes."""
    kind = "consent-page" if page else "consent"
    return "{{tandem-link:%s:%d:%s}}" % (kind, int(expires_at.timestamp()), request_id)  # noqa: UP031


def sign_in_slot(link_id: UUID, expires_at: datetime) -> str:
    """Where a partner's one-time sign-in link goes (a page: there is no JSON operation)."""
    return "{{tandem-link:sign-in-page:%d:%s}}" % (int(expires_at.timestamp()), link_id)  # noqa: UP031


def activation_slot() -> str:
    """Where the link to the partners' page of the claim's activation goes (no capability)."""
    return "{{tandem-link:activation-page:0}}"


def fill(lease: Lease, secret: bytes, public_url: str) -> Lease:
    """The leased message with its links in, ready to send (never to store)."""

    def link(match: re.Match[str]) -> str:
        kind, page, expires, request = match.group(1, 2, 3, 4)
        expires_at = datetime.fromtimestamp(int(expires), UTC)
        activation_id = lease.activation_id
        if kind == "ack" and activation_id is not None:
            return ack_link(
                secret,
                public_url,
                lease.plan_id,
                activation_id,
                lease.recipient_id,
                expires_at,
                page=page is not None,
            )
        if kind == "consent" and request is not None and activation_id is None:
            return consent_link(
                secret,
                public_url,
                lease.plan_id,
                lease.recipient_id,
                UUID(request),
                expires_at,
                page=page is not None,
            )
        if kind == "sign-in" and request is not None and activation_id is None:
            return sign_in_link(
                secret, public_url, lease.plan_id, lease.recipient_id, UUID(request), expires_at
            )
        if kind == "activation" and page is not None and activation_id is not None:
            return activation_page(public_url, lease.plan_id, activation_id)
        return ""  # a slot that does not fit its claim gets no link

    def text(value: str) -> str:
        return _SLOT.sub(link, value)

    return msgspec.structs.replace(
        lease,
        subject=text(lease.subject),
        body=text(lease.body),
        payload=_walk(lease.payload, text),
    )


def _walk(payload: dict[str, Any], text: Callable[[str], str]) -> dict[str, Any]:
    def one(value: Any) -> Any:
        if isinstance(value, str):
            return text(value)
        if isinstance(value, list):
            return [one(item) for item in value]
        if isinstance(value, dict):
            return {key: one(item) for key, item in value.items()}
        return value

    walked: dict[str, Any] = one(payload)
    return walked
