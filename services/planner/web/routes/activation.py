"""Asking for help from a page: one button per level, one confirmation, then the live page.

The confirmation form carries a one-time key: a double tap, or the form sent again, runs
``ActivatePlan`` once (through the JSON API's Idempotency-Key store) and lands on the same
activation. The live page shows who was told, on which channel, who answered, and updates
itself (``static/live.js`` polls a fragment of it); resolving works without JavaScript.
"""

from typing import Any
from uuid import UUID

import asyncpg
from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from common.ids import new_id
from contracts.ids import ActivationId
from contracts.vocabulary import Level, MessageKind
from planner.api import content_commands, people_commands
from planner.api.auth import participant_actor
from planner.api.commands import now
from planner.api.deps import PoolDep
from planner.api.errors import ResourceNotFound
from planner.api.schemas import NewActivation, Resolution
from planner.api.views import activation_view
from planner.store import accounts
from planner.web import acting, session
from planner.web.acting import plan_of

Req = Request[Any, Any, Any]
PLAN = "/plans/{plan_id:uuid}"
ONE = PLAN + "/activations/{activation_id:uuid}"
CLOSED = ("resolved", "false_alarm")


@get(PLAN + "/activate/{level:str}", include_in_schema=False)
async def confirm_page(
    request: Req, plan_id: FromPath[UUID], level: FromPath[Level], pool: PoolDep
) -> Template:
    """The one confirmation step: optional signs noticed and a note."""
    me = await session.partner_of(request, pool, plan_id)
    state = await plan_of(pool, plan_id)
    signs = [s for s in state.signs.values() if not s.retired]
    context = {"me": me, "plan": state, "level": level, "signs": signs, "key": str(new_id())}
    return Template(template_name="activate.html", context=context)


@post(PLAN + "/activations", include_in_schema=False)
async def activate(request: Req, plan_id: FromPath[UUID], pool: PoolDep) -> Redirect:
    me = await session.partner_of(request, pool, plan_id)
    form = await acting.form_of(request)
    new = acting.parsed(
        NewActivation,
        {
            "level": acting.text(form, "level"),
            "observed_sign_ids": form.getall("signs", []),
            "note": acting.text(form, "note"),
        },
    )
    partners = await accounts.partner_channels(pool, plan_id)
    command = await people_commands.activate(pool, me.participant_id, new, now(), partners)
    activation_id = command.activation_id
    key = acting.text(form, "key", limit=64) or str(activation_id)
    answer = await acting.run_once(
        pool,
        request,
        plan_id,
        command,
        participant_actor(me.participant_id),
        key=f"page-activation:{key}",
        answer=str(activation_id).encode(),
    )
    return acting.see_other(f"/plans/{plan_id}/activations/{answer.decode()}")


@get(ONE, include_in_schema=False)
async def live_page(
    request: Req, plan_id: FromPath[UUID], activation_id: FromPath[UUID], pool: PoolDep
) -> Template:
    me = await session.partner_of(request, pool, plan_id)
    context = await live_context(pool, plan_id, ActivationId(activation_id))
    return Template(template_name="activation.html", context={**context, "me": me})


@get(ONE + "/live", include_in_schema=False)
async def live_fragment(
    request: Req, plan_id: FromPath[UUID], activation_id: FromPath[UUID], pool: PoolDep
) -> Template:
    """What the live page's script fetches: the part of the page that changes."""
    await session.partner_of(request, pool, plan_id)
    context = await live_context(pool, plan_id, ActivationId(activation_id))
    return Template(template_name="live.html", context=context)


@post(ONE + "/resolve", include_in_schema=False)
async def resolve(
    request: Req, plan_id: FromPath[UUID], activation_id: FromPath[UUID], pool: PoolDep
) -> Redirect:
    """Resolved, or a false alarm, with an optional reflection; supports get the all-clear."""
    me = await session.partner_of(request, pool, plan_id)
    form = await acting.form_of(request)
    fields = {k: acting.text(form, k) for k in ("outcome", "reflection")}
    resolution = acting.parsed(Resolution, fields)
    command = content_commands.resolve(me.participant_id, activation_id, resolution, now())
    await acting.run(pool, request, plan_id, command, participant_actor(me.participant_id))
    return acting.see_other(f"/plans/{plan_id}/activations/{activation_id}")


async def live_context(
    pool: asyncpg.Pool, plan_id: UUID, activation_id: ActivationId
) -> dict[str, Any]:
    state = await plan_of(pool, plan_id)
    activation = state.activations.get(activation_id)
    if activation is None:
        raise ResourceNotFound(f"activation {activation_id} not found in this plan")
    view = activation_view(activation)
    names = {p.participant_id: p.display_name for p in state.partners}
    return {
        "plan_id": plan_id,
        "activation": view,
        "asker": names.get(activation.activated_by, "A partner"),
        "closed": view.status in CLOSED,
        "nobody_answered": any(d.message is MessageKind.NO_ANSWER for d in activation.deliveries)
        and not activation.acknowledgements,
        "signs": [
            state.signs[s].description for s in activation.observed_sign_ids if s in state.signs
        ],
        "answered_by": [
            next((r.display_name for r in activation.recipients if r.recipient_id == a.by), "")
            for a in activation.acknowledgements
        ],
    }
