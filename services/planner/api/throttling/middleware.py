"""Litestar's rate limiter, answering with ``Retry-After``, and a variant counting failures.

Several limits apply to one request, each a ``RateLimitMiddleware`` of its own; each
would overwrite the others' ``RateLimit-*`` headers on every answer, so they go only on
a 429 (with ``Retry-After``: when the window ends). The 429 is Litestar's
``TooManyRequestsException``, answered here as problem details (problems.py), like a
503 when the store cannot be reached: answered inside the correlation and metrics
middlewares, which see every response but no exception.
"""

from dataclasses import dataclass, field
from time import time
from typing import Any

import anyio
import structlog
from litestar.exceptions import TooManyRequestsException
from litestar.middleware.rate_limit import CacheObject, RateLimitConfig, RateLimitMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from planner.api import problems
from planner.api.throttling import rules
from planner.store.outages import is_outage

log = structlog.stdlib.get_logger("planner.api")


@dataclass
class LimitConfig(RateLimitConfig):
    """Litestar's config, with one lock for the whole limit. Litestar makes a middleware per
    route, each with a lock of its own; a count that two routes read and write at once (a
    token's, an address's) would lose one of them."""

    lock: anyio.Lock = field(default_factory=anyio.Lock)
    name: str = "limit"  # in the log line of a refusal (never the key: it names the caller)


class Throttle(RateLimitMiddleware):
    """One limit: Litestar's fixed-window counter, headers only on the 429."""

    def __init__(self, app: ASGIApp, config: RateLimitConfig) -> None:
        super().__init__(app, config)
        if isinstance(config, LimitConfig):
            self._lock = config.lock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.limit(scope, receive, tracking)
        except Exception as exc:
            if isinstance(exc, TooManyRequestsException):
                log.info("api.throttled", limit=getattr(self.config, "name", "limit"))
            request = scope["litestar_app"].request_class(scope)
            answer = None if started else problems.answer_outside_routes(request, exc)
            if answer is None:
                raise
            await answer.to_asgi_response(app=None, request=request)(scope, receive, send)

    async def limit(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count the request, refuse it past the limit, or pass it on."""
        await super().__call__(scope, receive, send)

    def create_send_wrapper(self, send: Send, cache_object: CacheObject) -> Send:
        return send

    def create_response_headers(self, cache_object: CacheObject) -> dict[str, str]:
        headers = super().create_response_headers(cache_object)
        headers["Retry-After"] = str(max(1, cache_object.reset - int(time())))
        return headers


class FailureThrottle(Throttle):
    """Counts only the requests that fail (``rules.failed``), and refuses every request it
    checks once the count reaches the limit, successful ones too: otherwise a guesser
    would still tell a right guess (200) from a wrong one (429)."""

    async def limit(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = scope["litestar_app"]
        request = app.request_class(scope)
        if not await self.should_check_request(request=request):
            await self.app(scope, receive, send)
            return
        store = self.config.get_store_from_app(app)
        key = self.cache_key_from_request(request)
        async with self._lock:
            failures = await self.retrieve_cached_history(key, store)
        if len(failures.history) >= self.max_requests:
            raise TooManyRequestsException(headers=self.create_response_headers(failures))

        statuses: list[int] = []

        async def watching(message: Message) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])
            await send(message)

        await self.app(scope, receive, watching)
        if statuses and rules.failed(request, statuses[0]):
            await self._count(key, store)

    async def _count(self, key: str, store: Any) -> None:
        """Count a failure after its answer went out: an outage now can only be logged."""
        try:
            async with self._lock:
                failures = await self.retrieve_cached_history(key, store)
                await self.set_cached_history(key, failures, store)
        except Exception as exc:
            if not is_outage(exc):
                raise
            log.warning("api.throttle_not_counted", error=type(exc).__name__)
