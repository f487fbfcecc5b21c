"""The start page: sign up or sign in; once signed in, your plans, a new one, or joining one;
and where to reach me (the e-mail address and phone number alerts go to)."""

from typing import Annotated, Any
from uuid import UUID

import asyncpg
from litestar import Request, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from common.ids import new_id
from contracts.ids import PlanId
from contracts.vocabulary import ChannelKind
from planner import handlers
from planner.api.auth import participant_actor
from planner.api.channels import to_channels
from planner.api.commands import now
from planner.api.deps import PoolDep, SettingsDep
from planner.api.errors import ResourceNotFound
from planner.api.routes.participants import new_token
from planner.api.routes.plans import code_hash
from planner.api.schemas import ChannelsIn, NewParticipant, NewPlan
from planner.domain.commands import AcceptInvite, CreatePlan
from planner.domain.errors import InvalidCommand
from planner.settings import Settings
from planner.store import accounts, read_models, tokens
from planner.web import acting, session

Req = Request[Any, Any, Any]


@get("/", include_in_schema=False)
async def start_page(
    request: Req,
    pool: PoolDep,
    code: Annotated[str, QueryParameter(max_length=200)] = "",
    signed_out: Annotated[bool, QueryParameter()] = False,
) -> Template:
    """Signed out: sign up or sign in. Signed in: your plans, a new one, or join with a code."""
    participant = await session.visitor(request, pool)
    plans = []
    if participant is not None:
        for plan_id in await read_models.plans_of(pool, participant.participant_id):
            state = await handlers.load(pool, plan_id)
            if state is not None:
                plans.append(state)
    context = {"me": participant, "plans": plans, "code": code, "signed_out": signed_out}
    return Template(template_name="start.html", context=context)


@post("/sign-up", include_in_schema=False)
async def sign_up(request: Req, pool: PoolDep, settings: SettingsDep) -> Redirect:
    """A new account by display name, signed in on this browser at once.

    Its API token is made and thrown away (only its hash is stored): the page's session is
    how this person signs in.
    """
    form = await acting.form_of(request)
    new = acting.parsed(NewParticipant, {"display_name": acting.text(form, "display_name")})
    participant_id = new_id()
    await tokens.register(
        pool,
        participant_id,
        new.display_name,
        token_id=new_id(),
        token=new_token(),
        lifetime=settings.token_lifetime,
    )
    code = acting.text(form, "code", limit=200)
    target = f"/?code={code}" if code else "/"
    return await _signed_in(pool, settings, participant_id, target)


@post("/sign-in/token", include_in_schema=False)
async def sign_in_with_token(request: Req, pool: PoolDep, settings: SettingsDep) -> Redirect:
    """Sign in with the API token of an account made through the API."""
    form = await acting.form_of(request)
    token = acting.text(form, "token", limit=200)
    holder = await tokens.holder(pool, token, settings.token_lifetime)
    if holder is None:
        raise InvalidCommand("token", "we do not know this token, or it expired or was revoked")
    return await _signed_in(pool, settings, holder.participant.participant_id, "/")


async def _signed_in(
    pool: asyncpg.Pool, settings: Settings, participant_id: UUID, target: str
) -> Redirect:
    """A redirect to ``target`` that carries a new session's cookie."""
    redirect = acting.see_other(target)
    await session.sign_in(redirect, pool, settings, participant_id)
    return redirect


@post("/sign-out", include_in_schema=False)
async def sign_out(request: Req, pool: PoolDep) -> Redirect:
    redirect = acting.see_other("/")
    await session.sign_out(request, redirect, pool)
    return redirect


@post("/plans", include_in_schema=False)
async def create_plan(request: Req, pool: PoolDep) -> Redirect:
    me = await session.signed_in(request, pool)
    form = await acting.form_of(request)
    new = acting.parsed(NewPlan, {"title": acting.text(form, "title")})
    plan_id = PlanId(new_id())
    command = CreatePlan(
        now=now(),
        plan_id=plan_id,
        title=new.title,
        actor=me.participant_id,
        actor_name=me.display_name,
    )
    await acting.run(pool, request, plan_id, command, participant_actor(me.participant_id))
    return acting.see_other(f"/plans/{plan_id}")


@post("/join", include_in_schema=False)
async def join(request: Req, pool: PoolDep) -> Redirect:
    """Join a plan as its second partner, with the code (or link) the first one shared."""
    me = await session.signed_in(request, pool)
    form = await acting.form_of(request)
    code = acting.text(form, "code", limit=200)
    plan_id = await read_models.plan_of_invite(pool, code_hash(code)) if code else None
    if plan_id is None:
        raise ResourceNotFound("no invite with this code")
    command = AcceptInvite(
        now=now(), actor=me.participant_id, actor_name=me.display_name, code_sha256=code_hash(code)
    )
    await acting.run(pool, request, plan_id, command, participant_actor(me.participant_id))
    return acting.see_other(f"/plans/{plan_id}")


@get("/me", include_in_schema=False)
async def me_page(request: Req, pool: PoolDep) -> Template:
    me = await session.signed_in(request, pool)
    channels = (await accounts.channels_of(pool, me.participant_id)) or ()
    by_kind = {c.kind.value: c.address for c in channels}
    saved = request.query_params.get("saved") == "1"
    return Template(template_name="me.html", context={"me": me, "by_kind": by_kind, "saved": saved})


@post("/me/channels", include_in_schema=False)
async def save_channels(request: Req, pool: PoolDep, settings: SettingsDep) -> Redirect:
    """Replace my channels with the e-mail address and phone number given (either may be empty)."""
    me = await session.signed_in(request, pool)
    form = await acting.form_of(request)
    wanted = [
        {"kind": kind.value, "address": acting.text(form, kind.value, limit=320)}
        for kind in (ChannelKind.EMAIL, ChannelKind.SMS)
        if acting.text(form, kind.value, limit=320)
    ]
    channels = acting.parsed(ChannelsIn, {"channels": wanted})
    await accounts.set_channels(
        pool, me.participant_id, await to_channels(channels.channels, settings)
    )
    return acting.see_other("/me?saved=1")
