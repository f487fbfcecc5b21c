"""Running a command from a route: headers in (If-Match, Idempotency-Key), ETag out."""

import hashlib
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

import asyncpg
import msgspec
from litestar import Request, Response

from contracts.envelope import Metadata
from planner import handlers
from planner.api import correlation
from planner.api.errors import BadHeader
from planner.api.schemas import Versioned
from planner.domain.commands import PlanCommand
from planner.handlers import CommandResult
from planner.store.idempotency import IdempotencyRequest, StoredResponse

T = TypeVar("T", bound=Versioned)

IF_MATCH = re.compile(r'^\s*(?:W/)?"?(\d{1,10})"?\s*$')
MAX_KEY_LENGTH = 255


def now() -> datetime:
    return datetime.now(UTC)


def etag(version: int) -> str:
    return f'"{version}"'


def if_match(request: Request[Any, Any, Any]) -> int | None:
    header = request.headers.get("if-match")
    if header is None:
        return None
    match = IF_MATCH.match(header)
    if match is None:
        raise BadHeader('If-Match must be an ETag of this API, e.g. "7"')
    return int(match.group(1))


def correlation_id(request: Request[Any, Any, Any]) -> UUID:
    """The request's correlation id: the caller's X-Correlation-Id when it is a UUID."""
    return correlation.of(request)


async def _idempotency(request: Request[Any, Any, Any], actor: str) -> IdempotencyRequest | None:
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    if not 0 < len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise BadHeader("Idempotency-Key must be 1 to 255 printable characters")
    digest = hashlib.sha256(f"{request.method} {request.url.path}\n".encode())
    digest.update(await request.body())
    return IdempotencyRequest(principal=actor, key=key, request_sha256=digest.hexdigest())


async def run_command(
    request: Request[Any, Any, Any],
    pool: asyncpg.Pool,
    plan_id: UUID,
    command: PlanCommand,
    actor: str,
    render: Callable[[CommandResult], T],
    status_code: int = 200,
) -> Response[T]:
    """Execute ``command`` on the plan and answer ``render(result)`` with the plan's ETag.

    With an Idempotency-Key, the first response is stored with the events; a repeat of the
    same request gets that response back, and a different request under the key a 422.
    """
    metadata = Metadata(actor=actor, correlation_id=correlation_id(request))
    expected = if_match(request)
    idempotency = await _idempotency(request, actor)
    if idempotency is None:
        result = await handlers.execute(
            pool, plan_id, command, metadata, chain_key=_chain_key(request), if_match=expected
        )
        return _respond(render(result), status_code)

    def store(result: CommandResult) -> StoredResponse:
        body = msgspec.json.encode(render(result))
        return StoredResponse(status_code=status_code, body=body)

    stored = await handlers.execute_idempotent(
        pool,
        plan_id,
        command,
        metadata,
        idempotency,
        store,
        chain_key=_chain_key(request),
        if_match=expected,
    )
    version = msgspec.json.decode(stored.body, type=_VersionOnly).version
    return Response(
        stored.body,  # type: ignore[arg-type]  # already-encoded JSON of T
        status_code=stored.status_code,
        media_type="application/json",
        headers={"ETag": etag(version)},
    )


def _chain_key(request: Request[Any, Any, Any]) -> bytes:
    key: bytes = request.app.state.chain_key
    return key


class _VersionOnly(msgspec.Struct):
    version: int


def _respond(body: T, status_code: int) -> Response[T]:
    return Response(body, status_code=status_code, headers={"ETag": etag(body.version)})
