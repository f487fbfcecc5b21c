"""Running a command from a route: headers in (If-Match, Idempotency-Key), ETag out."""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

import asyncpg
import msgspec
from litestar import Request, Response

from contracts.envelope import Metadata
from contracts.ids import ParticipantId
from planner import handlers
from planner.api import correlation
from planner.api.errors import BadHeader
from planner.api.schemas import INT4_MAX, Versioned
from planner.domain.commands import PlanCommand
from planner.handlers.results import CommandResult
from planner.store.accounts import Participant
from planner.store.idempotency import IdempotencyRequest, StoredResponse

T = TypeVar("T", bound=Versioned)
Req = Request[Any, Any, Any]

IF_MATCH = re.compile(r'^\s*(?:W/)?"?(\d{1,10})(?:\.\d{1,10})?"?\s*$')  # "7.12" names 7
MAX_KEY_LENGTH = 255


def now() -> datetime:
    return datetime.now(UTC)


def etag(version: int, reports: int = 0) -> str:
    """The plan's version; after a dot, how many delivery reports a view of it shows."""
    return f'"{version}.{reports}"' if reports else f'"{version}"'


def if_match(request: Req) -> int | None:
    header = request.headers.get("if-match")
    if header is None:
        return None
    match = IF_MATCH.match(header)
    if match is None or int(match.group(1)) > INT4_MAX:
        raise BadHeader('If-Match must be an ETag of this API, e.g. "7"')
    return int(match.group(1))


def correlation_id(request: Req) -> UUID:
    """The request's correlation id: the caller's X-Correlation-Id when it is a UUID."""
    return correlation.of(request)


def versioned(body: type[T], **fields: Any) -> Callable[[CommandResult], T]:
    """A render for ``Commands.run``: ``body`` with the plan's id and version, and ``fields``."""
    return lambda result: body(plan_id=result.plan_id, version=result.version, **fields)


@dataclass(frozen=True)
class Secrets(Generic[T]):
    """How an answer's shown-once secrets (an invite code, a webhook's signing secret) are
    put in. They are never stored: the render gives the answer without them, which is what
    an Idempotency-Key keeps, and ``reveal`` derives them again from the ids the answer
    holds, for the first answer and for every repeat alike."""

    body: type[T]
    reveal: Callable[[T], T]


class Commands:
    """Runs plan commands for one request and answers with the plan's ETag.

    The answer has the route's status code. With an Idempotency-Key, the first response is
    stored with the events (without its secrets, see ``Secrets``); a repeat of the same
    request gets that response back, and a different request under the key a 422.
    """

    def __init__(self, request: Req, pool: asyncpg.Pool) -> None:
        self._request = request
        self._pool = pool

    async def run(
        self,
        plan_id: UUID,
        command: PlanCommand,
        actor: str,
        render: Callable[[CommandResult], T],
        secrets: Secrets[T] | None = None,
    ) -> Response[T]:
        """Execute ``command`` on the plan for ``actor`` and answer ``render(result)``."""
        request = self._request
        status_code: int = request.route_handler.status_code
        metadata = Metadata(actor=actor, correlation_id=correlation_id(request))
        expected = if_match(request)
        idempotency = await _idempotency(request, actor)
        chain_key: bytes = request.app.state.chain_key
        if idempotency is None:
            result = await handlers.execute(
                self._pool, plan_id, command, metadata, chain_key=chain_key, if_match=expected
            )
            body = render(result) if secrets is None else secrets.reveal(render(result))
            return Response(body, status_code=status_code, headers={"ETag": etag(body.version)})

        def store(result: CommandResult) -> StoredResponse:
            return StoredResponse(status_code=status_code, body=msgspec.json.encode(render(result)))

        run = handlers.Run(plan_id, command, metadata, chain_key, expected)
        stored = await handlers.execute_idempotent(self._pool, run, idempotency, store)
        return _stored_response(stored, secrets)


class ActingPartner:
    """A partner of the plan the route's path names, running commands on that plan."""

    def __init__(
        self, participant: Participant, plan_id: UUID, *, actor: str, commands: Commands
    ) -> None:
        self.participant = participant
        self.plan_id = plan_id
        self._actor = actor
        self._commands = commands

    @property
    def participant_id(self) -> ParticipantId:
        return self.participant.participant_id

    async def run(
        self,
        command: PlanCommand,
        render: Callable[[CommandResult], T],
        secrets: Secrets[T] | None = None,
    ) -> Response[T]:
        """Run ``command`` on the partner's plan (see ``Commands.run``)."""
        return await self._commands.run(self.plan_id, command, self._actor, render, secrets)


async def _idempotency(request: Req, actor: str) -> IdempotencyRequest | None:
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    if not 0 < len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise BadHeader("Idempotency-Key must be 1 to 255 printable characters")
    digest = hashlib.sha256(f"{request.method} {request.url.path}\n".encode())
    digest.update(await request.body())
    return IdempotencyRequest(principal=actor, key=key, request_sha256=digest.hexdigest())


class _VersionOnly(msgspec.Struct):
    version: int


def _stored_response(stored: StoredResponse, secrets: Secrets[T] | None) -> Response[Any]:
    """The response stored under an Idempotency-Key, as it was first sent."""
    version = msgspec.json.decode(stored.body, type=_VersionOnly).version
    body = stored.body
    if secrets is not None:
        try:
            answer = msgspec.json.decode(body, type=secrets.body)
        except msgspec.ValidationError:
            pass  # stored before secrets were left out (migration 0006): as stored, without
        else:
            body = msgspec.json.encode(secrets.reveal(answer))
    return Response(
        body,
        status_code=stored.status_code,
        media_type="application/json",
        headers={"ETag": etag(version)},
    )
