"""The signed links an alert carries: acknowledge in one tap, consent without an account.

Both are ``common.capabilities`` tokens under the service secret the planner shares, so
the planner's ``/v1/acks/{token}`` and ``/v1/consents/{token}`` verify what is built here.
The notifier builds them when it sends a message, from the ids its claim holds; neither
service stores a link.
"""

from datetime import datetime, timedelta
from typing import Final
from uuid import UUID

from common.capabilities import Capability, issue

# How long each kind of link works. A consent request's link lasts as long as the request;
# an acknowledge link stops working a day after its activation was resolved (the planner
# checks) and in any case when the notifier's ``ack_link_seconds`` from sending are over;
# a sign-in link (a capability of purpose ``sign_in``) lasts a quarter of an hour.
CONSENT_LINK_LIFETIME: Final = timedelta(days=30)
ACK_LINK_AFTER_RESOLUTION: Final = timedelta(hours=24)
SIGN_IN_LINK_LIFETIME: Final = timedelta(minutes=15)


def ack_link(
    secret: bytes,
    base_url: str,
    plan_id: UUID,
    activation_id: UUID,
    recipient_id: UUID,
    expires_at: datetime,
) -> str:
    """A link that acknowledges ``activation_id`` as ``recipient_id`` until ``expires_at``."""
    capability = Capability(
        purpose="ack",
        plan_id=plan_id,
        subject_id=recipient_id,
        activation_id=activation_id,
        expires_at=int(expires_at.timestamp()),
    )
    return f"{base_url}/v1/acks/{issue(secret, capability)}"


def consent_link(
    secret: bytes,
    base_url: str,
    plan_id: UUID,
    contact_id: UUID,
    request_id: UUID,
    expires_at: datetime,
) -> str:
    """The link where ``contact_id`` answers consent request ``request_id``, until
    ``expires_at``. It goes only to the contact's own channels, never to a partner."""
    capability = Capability(
        purpose="consent",
        plan_id=plan_id,
        subject_id=contact_id,
        expires_at=int(expires_at.timestamp()),
        request_id=request_id,
    )
    return f"{base_url}/v1/consents/{issue(secret, capability)}"
