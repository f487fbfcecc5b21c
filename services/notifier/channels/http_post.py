"""One HTTP POST try, classified for the retry loop: shared by the webhook and SMS adapters.

Status handling follows the Standard Webhooks guidance: 2xx is success; 408, 429 and 5xx
are worth retrying (honouring ``Retry-After``); redirects are not followed and, like every
other 4xx, are a permanent failure. Only the status line and headers are read: a receiver
cannot make us buffer a large body.
"""

import asyncio
import time
from collections.abc import Mapping
from datetime import UTC
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Self

import httpx

from notifier.channels.retry import SENT, Attempt, permanent, transient

_RETRYABLE_4XX = frozenset({408, 429})


class HttpChannel:
    """Holds the adapter's HTTP client, closing it only when the adapter made it."""

    def __init__(self, client: httpx.AsyncClient | None) -> None:
        self._owns_client = client is None
        # Redirects are never followed: a redirect's target would escape the URL checks.
        self._client = client or httpx.AsyncClient(follow_redirects=False)

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()


async def post_once(
    client: httpx.AsyncClient,
    url: httpx.URL | str,
    *,
    content: bytes,
    headers: Mapping[str, str],
    timeout: float,  # noqa: ASYNC109 - a per-request bound, passed on to httpx as well
    extensions: dict[str, Any] | None = None,
) -> Attempt:
    """POST ``content`` once; never raises for network or HTTP failures."""
    try:
        # httpx's timeout bounds each phase; this one bounds the whole exchange, so a
        # receiver trickling bytes cannot hold the delivery forever.
        async with (
            asyncio.timeout(timeout),
            client.stream(
                "POST",
                url,
                content=content,
                headers=headers,
                timeout=timeout,
                extensions=extensions,
            ) as response,
        ):
            retry_after = response.headers.get("retry-after")
            return classify_status(response.status_code, retry_after, now=time.time())
    except (TimeoutError, httpx.TimeoutException):
        return transient("timeout")
    except httpx.TransportError:
        return transient("connection error")


def classify_status(status: int, retry_after: str | None, *, now: float) -> Attempt:
    """What an HTTP status means for this delivery."""
    if 200 <= status < 300:  # noqa: PLR2004 - the 2xx range
        return SENT
    if status in _RETRYABLE_4XX or status >= 500:  # noqa: PLR2004 - 5xx
        return transient(f"http {status}", parse_retry_after(retry_after, now=now))
    if status >= 300:  # noqa: PLR2004 - 3xx and 4xx
        return permanent(f"http {status}")
    return transient(f"http {status}")


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delay-seconds or HTTP-date)."""
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000" dates parse naive; HTTP dates are always GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)
