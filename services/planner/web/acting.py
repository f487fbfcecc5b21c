"""Running a plan command from a page: the same handlers as the JSON routes, then a redirect.

A page's POST answers 303 See Other to the page that shows the outcome (post/redirect/get),
so a reload never sends the form twice. A command that must not run twice on a double tap
(activation) is keyed by a one-time key the form carries, through the same Idempotency-Key
store the JSON API uses.
"""

import hashlib
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import asyncpg
import msgspec
from litestar import Request
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect

from contracts.envelope import Metadata
from planner import handlers
from planner.api.auth import participant_actor
from planner.api.commands import correlation_id
from planner.api.errors import ResourceNotFound
from planner.api.views import PlanView, plan_view
from planner.domain.commands import PlanCommand
from planner.domain.delivery_log import joined
from planner.domain.errors import InvalidCommand
from planner.domain.state import PlanState
from planner.handlers.results import CommandResult
from planner.store import do_not_involve, event_store
from planner.store.idempotency import IdempotencyRequest, StoredResponse

Req = Request[Any, Any, Any]
MAX_FIELD = 4000
S = TypeVar("S", bound=msgspec.Struct)


async def plan_of(pool: asyncpg.Pool, plan_id: UUID) -> PlanState:
    """The plan as stored now, folded by the same loader the commands use, joined with its
    activations' delivery streams (who was told, escalations)."""
    state = await handlers.load(pool, plan_id)
    if state is None:
        raise ResourceNotFound(f"plan {plan_id} not found")
    reports = await event_store.read_streams(pool, list(state.activations))
    return joined(state, (envelope.event for envelope in reports))


async def view_for(
    pool: asyncpg.Pool, state: PlanState, participant_id: UUID, at: datetime
) -> PlanView:
    """The plan as ``participant_id`` sees it at ``at``: their own "do not involve" list
    marks the contacts on it, for them alone."""
    listed = frozenset(await do_not_involve.keys(pool, [participant_id]))
    return plan_view(state, at, listed)


def parsed(schema: type[S], fields: dict[str, Any]) -> S:
    """Form fields checked by the JSON API's own request schema; a refusal in plain words."""
    try:
        return msgspec.convert(fields, schema)
    except msgspec.ValidationError as exc:
        text = str(exc)
        field = text.rsplit("$.", 1)[-1].split("[", 1)[0].rstrip("`") if "$." in text else "form"
        raise InvalidCommand(field, f"{field.replace('_', ' ')}: {_plainly(text)}") from None


def _plainly(message: str) -> str:
    """msgspec's refusal, as a person reads it."""
    if "length >=" in message:
        return "please fill this in"
    if "length <=" in message:
        return "this is too long"
    return "this is not valid here"


async def run(
    pool: asyncpg.Pool, request: Req, plan_id: UUID, command: PlanCommand, actor: str
) -> CommandResult:
    """Run ``command`` on the plan for ``actor``, retried on a concurrent change."""
    metadata = Metadata(actor=actor, correlation_id=correlation_id(request))
    chain_key: bytes = request.app.state.chain_key
    return await handlers.execute(pool, plan_id, command, metadata, chain_key=chain_key)


async def run_once(
    pool: asyncpg.Pool,
    request: Req,
    plan_id: UUID,
    command: PlanCommand,
    actor: str,
    *,
    key: str,
    answer: bytes,
) -> bytes:
    """Run ``command`` once per ``key``: a repeat gets the first run's ``answer`` back."""
    metadata = Metadata(actor=actor, correlation_id=correlation_id(request))
    chain_key: bytes = request.app.state.chain_key
    idempotency = IdempotencyRequest(
        principal=actor, key=key, request_sha256=_digest(request.url.path)
    )
    stored = await handlers.execute_idempotent(
        pool,
        handlers.Run(plan_id, command, metadata, chain_key),
        idempotency,
        lambda _: StoredResponse(status_code=303, body=answer),
    )
    return stored.body


async def saved(
    pool: asyncpg.Pool,
    request: Req,
    plan_id: UUID,
    partner_id: UUID,
    command: PlanCommand,
    anchor: str,
) -> Redirect:
    """Run a partner's ``command`` on the plan, then back to the plan page at ``anchor``."""
    await run(pool, request, plan_id, command, participant_actor(partner_id))
    return see_other(f"/plans/{plan_id}?saved=1#{anchor}")


def _digest(path: str) -> str:
    return hashlib.sha256(f"POST {path}\n".encode()).hexdigest()


def see_other(path: str) -> Redirect:
    return Redirect(path=path, status_code=303)


async def form_of(request: Req) -> FormMultiDict:
    form: FormMultiDict = await request.form()
    return form


def text(form: FormMultiDict, name: str, *, limit: int = MAX_FIELD) -> str:
    """A text field, trimmed; longer than ``limit`` is refused in plain words."""
    value = form.get(name)
    value = value.strip() if isinstance(value, str) else ""
    if len(value) > limit:
        raise InvalidCommand(
            name, f"{name.replace('_', ' ')} is too long (at most {limit} characters)"
        )
    return value
