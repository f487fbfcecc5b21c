"""The correlation id of a request: taken from ``X-Correlation-Id`` or made, then everywhere.

The id is kept in the request's scope (commands store it in each event's metadata, from
where the relay sends it to NATS and the notifier to each delivery), bound to the log
context for every line the request writes, and returned in the response header.
"""

from typing import Any
from uuid import UUID

import structlog
from litestar import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from common.ids import new_id
from common.logs import CORRELATION_ID

HEADER = "X-Correlation-Id"
_SCOPE_KEY = "tandem.correlation_id"


def parse(header: str | None) -> UUID | None:
    """The caller's id when it is a UUID; None for anything else (a new one is made)."""
    try:
        return UUID(header or "")
    except ValueError:
        return None


def of(request: Request[Any, Any, Any]) -> UUID:
    """The request's correlation id (made here when the middleware did not run)."""
    state = request.scope.setdefault("state", {})
    found = state.get(_SCOPE_KEY)
    if not isinstance(found, UUID):
        found = state[_SCOPE_KEY] = parse(request.headers.get(HEADER)) or new_id()
    return found


class CorrelationMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        correlation_id = of(Request(scope))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableScopeHeaders.from_message(message)[HEADER] = str(correlation_id)
            await send(message)

        with structlog.contextvars.bound_contextvars(**{CORRELATION_ID: correlation_id}):
            await next_app(scope, receive, send_with_id)
