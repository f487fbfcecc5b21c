"""SMS through a provider's HTTP API, in one documented request shape.

Each message is one request::

    POST {TANDEM_SMS_URL}
    content-type: application/json
    Idempotency-Key: <delivery id>          (the same on every retry)
    Authorization: Bearer <TANDEM_SMS_TOKEN> (only when a token is configured)

    {"to": "+15551234567", "body": "…"}

``to`` is the E.164 number (spaces, dots, dashes and brackets removed); ``body`` is the
message's plain text. Any 2xx means sent. 408, 429 and 5xx are retried, honouring
``Retry-After``; any other status is a permanent failure. A provider with another shape
sits behind a small relay that speaks this one.
"""

import aiohttp
import msgspec
from yarl import URL

from common.channels.addresses import phone_number
from notifier.channels.base import DeliveryOutcome, OutboundMessage, refused_before_trying
from notifier.channels.http_post import HttpChannel, post_once
from notifier.channels.retry import RetryPolicy, deliver_with_retries


class SmsRequest(msgspec.Struct, frozen=True):
    """The JSON body the provider receives."""

    to: str
    body: str


class SmsAdapter(HttpChannel):
    """Sends ``OutboundMessage.text`` to the phone number in ``address``."""

    def __init__(
        self,
        url: str,
        *,
        token: str | None,
        timeout: float = 5.0,
        policy: RetryPolicy | None = None,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        if URL(url).scheme not in {"http", "https"}:
            raise ValueError("TANDEM_SMS_URL must be an http or https URL")
        super().__init__(session)
        self._url = url
        self._token = token
        self._timeout = timeout
        self._policy = policy or RetryPolicy()

    async def send(self, message: OutboundMessage) -> DeliveryOutcome:
        to = phone_number(message.address)
        if to is None:
            return refused_before_trying("invalid phone number")
        body = msgspec.json.encode(SmsRequest(to=to, body=message.text))
        headers = self._headers(message)
        return await deliver_with_retries(
            lambda: post_once(
                self.session, self._url, content=body, headers=headers, timeout=self._timeout
            ),
            self._policy,
        )

    def _headers(self, message: OutboundMessage) -> dict[str, str]:
        headers = {
            "content-type": "application/json",
            "idempotency-key": str(message.delivery_id),
        }
        if self._token:
            headers["authorization"] = f"Bearer {self._token}"
        return headers
