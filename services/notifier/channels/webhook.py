"""Signed webhooks, as the Standard Webhooks specification (standardwebhooks.com) has them.

Each request is a ``POST`` of the JSON payload with these headers:

- ``webhook-id``: the delivery id, the same on every retry (the receiver's idempotency key);
- ``webhook-timestamp``: unix seconds of this try;
- ``webhook-signature``: ``v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>``, the
  key being the base64-decoded part of the channel's ``whsec_…`` secret.

Receivers verify with any Standard Webhooks library, or with :func:`verify`. A channel
without a secret is sent unsigned. Every try first checks the URL against
``common.channels.webhook_policy`` and, for plain http, connects to the address it checked.
"""

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Callable, Mapping

import aiohttp
import msgspec
from yarl import URL

from common.channels.webhook_policy import (
    AsyncResolver,
    VettedUrl,
    WebhookAddressRefused,
    WebhookHostUnresolved,
    vet_webhook_url,
)
from notifier.channels.base import DeliveryOutcome, OutboundMessage, refused_before_trying
from notifier.channels.http_post import HttpChannel, post_once
from notifier.channels.retry import (
    Attempt,
    RetryPolicy,
    deliver_with_retries,
    permanent,
    transient,
)

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's marker, not a secret
TIMESTAMP_TOLERANCE_SECONDS = 300.0


class InvalidWebhookSecret(ValueError):
    """The secret is not ``whsec_`` followed by base64."""


def sign(secret: str, msg_id: str, timestamp: int, body: bytes | str) -> str:
    """The ``webhook-signature`` value for one request: ``v1,<base64>``."""
    if isinstance(body, str):
        body = body.encode()
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes | str,
    *,
    now: float | None = None,
    tolerance: float = TIMESTAMP_TOLERANCE_SECONDS,
) -> bool:
    """Whether a received request carries a valid, recent signature (receiver side)."""
    msg_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp", "")
    signatures = headers.get("webhook-signature", "").split()
    if not msg_id or not timestamp.isascii() or not timestamp.isdigit():
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance:
        return False  # too old (a replay) or from the future
    expected = sign(secret, msg_id, int(timestamp), body).encode()
    return any(hmac.compare_digest(expected, candidate.encode()) for candidate in signatures)


def _key(secret: str) -> bytes:
    # Like the reference libraries, accept the bare base64 too.
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as error:
        raise InvalidWebhookSecret("webhook secret is not valid base64") from error
    if not key:
        raise InvalidWebhookSecret("webhook secret is empty")
    return key


class WebhookAdapter(HttpChannel):
    """Sends ``OutboundMessage.payload`` to ``address``, signed, with retries."""

    def __init__(
        self,
        session: aiohttp.ClientSession | None = None,
        *,
        timeout: float = 5.0,
        policy: RetryPolicy | None = None,
        allow_private: bool,
        resolve: AsyncResolver | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(session)
        self._timeout = timeout
        self._policy = policy or RetryPolicy()
        self._allow_private = allow_private
        self._resolve = resolve
        self._clock = clock

    async def send(self, message: OutboundMessage) -> DeliveryOutcome:
        if message.webhook_secret is not None:
            try:
                _key(message.webhook_secret)
            except InvalidWebhookSecret:
                return refused_before_trying("invalid webhook secret")
        body = msgspec.json.encode(message.payload)
        return await deliver_with_retries(lambda: self._try_once(message, body), self._policy)

    async def _try_once(self, message: OutboundMessage, body: bytes) -> Attempt:
        try:
            target = await vet_webhook_url(
                message.address, allow_private=self._allow_private, resolve=self._resolve
            )
        except WebhookAddressRefused:
            return permanent("address not allowed")
        except WebhookHostUnresolved:
            return transient("host did not resolve")
        try:
            url, host_header = _pinned(target)
        except ValueError:
            return permanent("malformed URL")
        headers = self._headers(message, body) | host_header
        return await post_once(
            self.session, url, content=body, headers=headers, timeout=self._timeout
        )

    def _headers(self, message: OutboundMessage, body: bytes) -> dict[str, str]:
        msg_id = str(message.delivery_id)
        timestamp = int(self._clock())
        headers = {
            "content-type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
        }
        if message.webhook_secret is not None:
            headers["webhook-signature"] = sign(message.webhook_secret, msg_id, timestamp, body)
        return headers


def _pinned(target: VettedUrl) -> tuple[URL, dict[str, str]]:
    """For plain http, the URL aimed at the checked address, and the Host header to keep.

    Over https the host name stays: a rebound name would fail certificate verification,
    and the TLS server name must be the host's.
    """
    url = URL(target.url)
    if target.scheme != "http":
        return url, {}
    return url.with_host(target.addresses[0]), {"host": url.host_port_subcomponent or ""}
