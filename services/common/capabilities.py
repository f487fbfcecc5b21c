"""Signed capability links: a support contact acts without an account.

A token is ``<payload>.<signature>``, both base64url; the payload names what it allows
(purpose, plan, contact, the activation or consent request it is about) and when it
expires. HMAC-SHA256 with the service's secret key, truncated to 128 bits (still far
beyond guessing), compared in constant time. The payload is a MessagePack array with
binary UUIDs: a link must fit in an SMS beside the words, so every byte counts.

Only the signature is secret, and no token is stored anywhere: each is derived again from
the ids it names when it is needed. So are the other secrets derived here.
"""

import base64
import hashlib
import hmac
from datetime import datetime
from typing import Literal
from uuid import UUID

import msgspec

Purpose = Literal["consent", "ack", "sign-in"]


class Capability(msgspec.Struct, frozen=True, kw_only=True, array_like=True):
    purpose: Purpose
    plan_id: UUID
    subject_id: UUID
    activation_id: UUID | None = None
    expires_at: int | None = None  # unix seconds; None: valid while the subject exists
    request_id: UUID | None = None  # a consent link: the one request it answers


class InvalidCapability(Exception):
    """The link is malformed, forged, for another purpose, or expired."""


class ExpiredCapability(InvalidCapability):
    """A genuine link whose time is up. The message says what to do instead."""


WHAT_TO_DO: dict[Purpose, str] = {
    "consent": "this consent link has expired: ask the person who added you to send a new "
    "request, which brings a new link",
    "ack": "this alert link has expired: if they may still need you, reach them the way you "
    "usually do",
    "sign-in": "this sign-in link has expired: ask for a new one (each lasts 15 minutes)",
}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


SIGNATURE_BYTES = 16
_encoder = msgspec.msgpack.Encoder(uuid_format="bytes")
_decoder = msgspec.msgpack.Decoder(Capability)


def _sign(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, b"tandem-link:" + payload, hashlib.sha256).digest()[:SIGNATURE_BYTES]


def issue(secret: bytes, capability: Capability) -> str:
    payload = _encoder.encode(capability)
    return f"{_b64(payload)}.{_b64(_sign(secret, payload))}"


def verify(secret: bytes, token: str, purpose: Purpose, now: datetime) -> Capability:
    """The capability ``token`` grants for ``purpose``, if it is genuine and has not expired."""
    capability = verify_signature(secret, token, purpose)
    if capability.expires_at is not None and now.timestamp() >= capability.expires_at:
        raise ExpiredCapability(WHAT_TO_DO[purpose])
    return capability


def verify_signature(secret: bytes, token: str, purpose: Purpose) -> Capability:
    """The capability ``token`` grants for ``purpose``, if genuine, whether or not it expired.

    For the one use that outlives a link's expiry: withdrawing a consent given through it.
    """
    try:
        payload_text, signature_text = token.split(".")
        payload, signature = _unb64(payload_text), _unb64(signature_text)
    except ValueError as exc:
        raise InvalidCapability("malformed link") from exc
    if not hmac.compare_digest(signature, _sign(secret, payload)):
        raise InvalidCapability("link signature does not verify")
    try:
        capability = _decoder.decode(payload)
    except msgspec.DecodeError as exc:
        raise InvalidCapability("malformed link") from exc
    if capability.purpose != purpose:
        raise InvalidCapability("link is for another purpose")
    return capability


WEBHOOK_SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks prefix


def webhook_secret(secret: bytes, owner_id: UUID, address: str) -> str:
    """The signing secret of one webhook channel, derived so neither service has to store it.

    Both services hold the service secret; the planner shows this once when the channel is
    saved, the notifier derives it again to sign. A new address gets a new secret.
    """
    material = hmac.new(secret, f"webhook:{owner_id}:{address}".encode(), hashlib.sha256)
    return WEBHOOK_SECRET_PREFIX + base64.b64encode(material.digest()).decode()


INVITE_CODE_BYTES = 12


def invite_code(secret: bytes, invite_id: UUID) -> str:
    """The code of one partner invite, derived so that only its hash is ever stored.

    The partner sees it once; a repeated request (the same Idempotency-Key) is answered by
    deriving it again, never by reading it back from the database.
    """
    material = hmac.new(secret, f"invite:{invite_id}".encode(), hashlib.sha256)
    return _b64(material.digest()[:INVITE_CODE_BYTES])
