"""Plans: create, read (ETag, as_of), history, and inviting the second partner."""

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Request, Response, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_304_NOT_MODIFIED

from common.capabilities import invite_code
from common.ids import new_id
from contracts.ids import InviteId, PlanId
from planner.api.auth import require_participant, require_reader
from planner.api.commands import Secrets, etag, now, versioned
from planner.api.deps import CommandsDep, PartnerDep, PoolDep, PrincipalDep, SettingsDep
from planner.api.errors import BadParameter, ResourceNotFound
from planner.api.schemas import INT4_MAX, InviteCreated, NewPlan, Versioned
from planner.api.views import EventPage, PlanView, event_view, plan_view
from planner.domain.commands import AcceptInvite, CreatePlan, InvitePartner
from planner.domain.delivery_log import joined
from planner.domain.evolve import fold
from planner.settings import Settings
from planner.store import do_not_involve, event_store, read_models

INVITE_LIFETIME = timedelta(days=7)


@post("/v1/plans", status_code=201, tags=["plans"])
async def create_plan(
    data: JSONBody[NewPlan], principal: PrincipalDep, commands: CommandsDep
) -> Response[Versioned]:
    """Create a plan; the caller becomes its first partner."""
    participant = require_participant(principal)
    plan_id = PlanId(new_id())
    command = CreatePlan(
        now=now(),
        plan_id=plan_id,
        title=data.title.strip(),
        actor=participant.participant_id,
        actor_name=participant.display_name,
    )
    return await commands.run(plan_id, command, principal.actor, versioned(Versioned))


@get("/v1/plans/{plan_id:str}", tags=["plans"])
async def read_plan(
    request: Request[Any, Any, Any],
    plan_id: FromPath[UUID],
    principal: PrincipalDep,
    pool: PoolDep,
    as_of: Annotated[
        datetime | None, QueryParameter(description="RFC 3339 time: the plan as it was then")
    ] = None,
) -> Response[PlanView | None]:
    """The plan now (with an ETag of its version), or as it was at ``as_of``.

    Its activations' deliveries and escalations, which never change the plan's version,
    change the ETag after a dot (``"7.12"``); as ``If-Match`` it names version 7. An
    operator's read is recorded; the plan's partners see it (``operator-reads``).
    """
    await require_reader(pool, principal, plan_id, "GET /v1/plans/{plan_id}")
    until = _instant(as_of)
    envelopes = await event_store.read_stream(pool, plan_id, until=until)
    listed: frozenset[str] = frozenset()
    if principal.participant is not None:  # an operator has no list of their own
        listed = frozenset(await do_not_involve.keys(pool, [principal.participant.participant_id]))
    state = fold(envelope.event for envelope in envelopes)
    if state is None:
        raise ResourceNotFound(f"plan {plan_id} did not exist at {as_of}")
    # The activations' deliveries and escalations are on their own delivery streams.
    reports = await event_store.read_streams(pool, list(state.activations), until=until)
    state = joined(state, (envelope.event for envelope in reports))
    tag = etag(state.version, len(reports))
    if as_of is None and request.headers.get("if-none-match") == tag:
        return Response(None, status_code=HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
    return Response(plan_view(state, as_of or now(), listed), headers={"ETag": tag})


def _instant(as_of: datetime | None) -> datetime | None:
    """``as_of`` in UTC: it needs a time zone, and must stay inside the calendar in UTC."""
    if as_of is None:
        return None
    if as_of.tzinfo is None:
        raise BadParameter("as_of needs a time zone, e.g. 2026-11-23T10:00:00Z")
    try:
        return as_of.astimezone(UTC)
    except OverflowError:
        raise BadParameter("as_of is outside the years 1 to 9999 in UTC") from None


@get("/v1/plans/{plan_id:str}/events", tags=["plans"])
async def plan_events(
    plan_id: FromPath[UUID],
    principal: PrincipalDep,
    pool: PoolDep,
    after: Annotated[
        int, QueryParameter(ge=0, le=INT4_MAX, description="stream version to start after")
    ] = 0,
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
) -> EventPage:
    """The plan's history, oldest first, a page at a time. Operators may read it too (recorded)."""
    await require_reader(pool, principal, plan_id, "GET /v1/plans/{plan_id}/events")
    envelopes = await event_store.read_stream(pool, plan_id, after_version=after, limit=limit)
    next_after = envelopes[-1].stream_version if len(envelopes) == limit else None
    return EventPage(
        plan_id=plan_id, events=tuple(event_view(e) for e in envelopes), next_after=next_after
    )


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


@post("/v1/plans/{plan_id:str}/partner-invites", status_code=201, tags=["plans"])
async def invite_partner(partner: PartnerDep, settings: SettingsDep) -> Response[InviteCreated]:
    """An invite code for the second partner, valid for seven days and shown once.

    Only the code's hash is stored; a repeat with the same Idempotency-Key gets the code
    derived again from the invite's id.
    """
    invite_id, at = InviteId(new_id()), now()
    command = InvitePartner(
        now=at,
        actor=partner.participant_id,
        invite_id=invite_id,
        code_sha256=code_hash(invite_code(settings.secret_key, invite_id)),
        expires_at=at + INVITE_LIFETIME,
    )
    created = versioned(
        InviteCreated, invite_id=invite_id, invite_code="", expires_at=command.expires_at
    )
    return await partner.run(command, created, Secrets(InviteCreated, _code(settings)))


def _code(settings: Settings) -> Callable[[InviteCreated], InviteCreated]:
    def reveal(created: InviteCreated) -> InviteCreated:
        code = invite_code(settings.secret_key, created.invite_id)
        return msgspec.structs.replace(created, invite_code=code)

    return reveal


@post("/v1/partner-invites/{code:str}/accept", status_code=200, tags=["plans"])
async def accept_invite(
    code: FromPath[str], principal: PrincipalDep, pool: PoolDep, commands: CommandsDep
) -> Response[Versioned]:
    """Join a plan as its second partner."""
    participant = require_participant(principal)
    plan_id = await read_models.plan_of_invite(pool, code_hash(code))
    if plan_id is None:
        raise ResourceNotFound("no invite with this code")
    command = AcceptInvite(
        now=now(),
        actor=participant.participant_id,
        actor_name=participant.display_name,
        code_sha256=code_hash(code),
    )
    return await commands.run(plan_id, command, principal.actor, versioned(Versioned))
