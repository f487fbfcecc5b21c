"""The signed links an alert carries: acknowledge in one tap, consent without an account.

Both are ``common.capabilities`` tokens under the service secret the planner shares. One
token has two addresses: the page a person opens (``/ack/{token}``, ``/consent/{token}``,
with ``page=True``) and the JSON operation a program calls (``/v1/acks/{token}``,
``/v1/consents/{token}``); the planner verifies the token the same way at both.
The notifier builds them when it sends a message, from the ids its claim holds; neither
service stores a link.
"""

from datetime import datetime, timedelta
from typing import Final
from uuid import UUID

from common.capabilities import Capability, Purpose, issue

# How long each kind of link works. A consent request's link lasts as long as the request;
# an acknowledge link stops working a day after its activation was resolved (the planner
# checks) and in any case when the notifier's ``ack_link_seconds`` from sending are over;
# a sign-in link (a capability of purpose ``sign-in``) lasts a quarter of an hour.
CONSENT_LINK_LIFETIME: Final = timedelta(days=30)
ACK_LINK_AFTER_RESOLUTION: Final = timedelta(hours=24)
SIGN_IN_LINK_LIFETIME: Final = timedelta(minutes=15)


# Where a token is used, by purpose: the page a person opens, and the JSON operation a
# program calls (a sign-in link is only ever opened as a page).
_PAGE_PATHS: Final[dict[Purpose, str]] = {
    "ack": "/ack/",
    "consent": "/consent/",
    "sign-in": "/sign-in/",
}
_OPERATION_PATHS: Final[dict[Purpose, str]] = {"ack": "/v1/acks/", "consent": "/v1/consents/"}


def _capability(
    purpose: Purpose,
    plan_id: UUID,
    subject_id: UUID,
    expires_at: datetime,
    *,
    activation_id: UUID | None = None,
    request_id: UUID | None = None,
) -> Capability:
    return Capability(
        purpose=purpose,
        plan_id=plan_id,
        subject_id=subject_id,
        activation_id=activation_id,
        expires_at=int(expires_at.timestamp()),
        request_id=request_id,
    )


def _link(secret: bytes, base_url: str, capability: Capability, *, page: bool) -> str:
    paths = _PAGE_PATHS if page else _OPERATION_PATHS
    return f"{base_url}{paths[capability.purpose]}{issue(secret, capability)}"


def ack_link(
    secret: bytes,
    base_url: str,
    plan_id: UUID,
    activation_id: UUID,
    recipient_id: UUID,
    expires_at: datetime,
    *,
    page: bool = False,
) -> str:
    """A link that acknowledges ``activation_id`` as ``recipient_id`` until ``expires_at``."""
    capability = _capability("ack", plan_id, recipient_id, expires_at, activation_id=activation_id)
    return _link(secret, base_url, capability, page=page)


def consent_link(
    secret: bytes,
    base_url: str,
    plan_id: UUID,
    contact_id: UUID,
    request_id: UUID,
    expires_at: datetime,
    *,
    page: bool = False,
) -> str:
    """The link where ``contact_id`` answers consent request ``request_id``, until
    ``expires_at``. It goes only to the contact's own channels, never to a partner."""
    capability = _capability("consent", plan_id, contact_id, expires_at, request_id=request_id)
    return _link(secret, base_url, capability, page=page)


def sign_in_link(
    secret: bytes,
    base_url: str,
    plan_id: UUID,
    participant_id: UUID,
    link_id: UUID,
    expires_at: datetime,
) -> str:
    """The one-time link that signs ``participant_id`` in on another device, until
    ``expires_at``; the planner takes it once (``link_id``)."""
    capability = _capability("sign-in", plan_id, participant_id, expires_at, request_id=link_id)
    return _link(secret, base_url, capability, page=True)


def activation_page(base_url: str, plan_id: UUID, activation_id: UUID) -> str:
    """The partners' live page of an activation (no capability: it asks them to sign in)."""
    return f"{base_url}/plans/{plan_id}/activations/{activation_id}"
