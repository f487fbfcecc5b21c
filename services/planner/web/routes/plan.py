"""The plan page (signs and steps by level, supports and their consent, the escalation
policy, recent check-ins, one button per level to ask for help), and its forms for warning
signs and response steps: add, revise, retire/remove.

Each checks its fields with the JSON API's own request schema and runs the same domain
command as the JSON route, then returns to the plan page.
"""

from collections.abc import Callable
from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import FromPath
from litestar.response import Redirect, Template

from contracts.ids import ParticipantId
from contracts.vocabulary import Level
from planner.api import content_commands as build
from planner.api.commands import now
from planner.api.deps import PoolDep
from planner.api.schemas import (
    NewResponseStep,
    NewWarningSign,
    ResponseStepChange,
    WarningSignChange,
)
from planner.api.support_views import DisclosureView
from planner.domain.commands import (
    AddResponseStep,
    AddWarningSign,
    PlanCommand,
    RemoveResponseStep,
    RetireWarningSign,
    ReviseResponseStep,
    ReviseWarningSign,
)
from planner.web import acting, session

Req = Request[Any, Any, Any]
PLAN = "/plans/{plan_id:uuid}"
RECENT_CHECK_INS = 5


@get("/plans/{plan_id:uuid}", include_in_schema=False)
async def plan_page(request: Req, plan_id: FromPath[UUID], pool: PoolDep) -> Template:
    me = await session.partner_of(request, pool, plan_id)
    state = await acting.plan_of(pool, plan_id)
    view = await acting.view_for(pool, state, me.participant_id, now())
    names = {p.participant_id: p.display_name for p in view.partners}
    contacts = {s.contact_id: s.display_name for s in view.supports}
    supports = [s for s in view.supports if not s.removed]
    mine = {s.contact_id: _mine(s.disclosures, me.participant_id) for s in supports}
    added_by = {cid: names.get(c.added_by, "") for cid, c in state.contacts.items() if c.added_by}
    context = {
        "me": me,
        "plan": view,
        "levels": list(Level),
        "names": names,
        "contacts": contacts,
        "signs": [s for s in view.warning_signs if not s.retired],
        "open_activations": [a for a in view.activations if a.resolved_at is None],
        "supports": supports,
        "mine": mine,
        "added_by": added_by,
        "asked": [s for s in supports if mine[s.contact_id].status == "asked"],
        "check_ins": list(reversed(view.check_ins))[:RECENT_CHECK_INS],
        "saved": request.query_params.get("saved", ""),
    }
    return Template(template_name="plan.html", context=context)


def _mine(choices: tuple[DisclosureView, ...], reader: UUID) -> DisclosureView:
    """The reader's own disclosure choice about a contact, out of each partner's."""
    own = (d for d in choices if d.participant_id == reader)
    return next(own, DisclosureView(participant_id=reader, status="not_asked"))


async def _run(
    request: Req,
    pool: Any,
    plan_id: UUID,
    command_of: Callable[[ParticipantId, FormMultiDict], PlanCommand],
    anchor: str,
) -> Redirect:
    """As the signed-in partner: the command made from the form, then back to the plan."""
    me = await session.partner_of(request, pool, plan_id)
    form = await acting.form_of(request)
    command = command_of(me.participant_id, form)
    return await acting.saved(pool, request, plan_id, me.participant_id, command, anchor)


@post(PLAN + "/signs", include_in_schema=False)
async def add_sign(request: Req, plan_id: FromPath[UUID], pool: PoolDep) -> Redirect:
    def command(actor: ParticipantId, form: FormMultiDict) -> AddWarningSign:
        fields = {k: acting.text(form, k) for k in ("category", "description", "level")}
        return build.add_sign(actor, acting.parsed(NewWarningSign, fields), now())

    return await _run(request, pool, plan_id, command, "signs")


@post(PLAN + "/signs/{sign_id:uuid}/revise", include_in_schema=False)
async def revise_sign(
    request: Req, plan_id: FromPath[UUID], sign_id: FromPath[UUID], pool: PoolDep
) -> Redirect:
    def command(actor: ParticipantId, form: FormMultiDict) -> ReviseWarningSign:
        change = acting.parsed(WarningSignChange, {"description": acting.text(form, "description")})
        return build.revise_sign(actor, sign_id, change, now())

    return await _run(request, pool, plan_id, command, "signs")


@post(PLAN + "/signs/{sign_id:uuid}/retire", include_in_schema=False)
async def retire_sign(
    request: Req, plan_id: FromPath[UUID], sign_id: FromPath[UUID], pool: PoolDep
) -> Redirect:
    def command(actor: ParticipantId, form: FormMultiDict) -> RetireWarningSign:
        return build.retire_sign(actor, sign_id, now())

    return await _run(request, pool, plan_id, command, "signs")


@post(PLAN + "/steps", include_in_schema=False)
async def add_step(request: Req, plan_id: FromPath[UUID], pool: PoolDep) -> Redirect:
    def command(actor: ParticipantId, form: FormMultiDict) -> AddResponseStep:
        fields = {k: acting.text(form, k) for k in ("description", "level")}
        return build.add_step(actor, acting.parsed(NewResponseStep, fields), now())

    return await _run(request, pool, plan_id, command, "steps")


@post(PLAN + "/steps/{step_id:uuid}/revise", include_in_schema=False)
async def revise_step(
    request: Req, plan_id: FromPath[UUID], step_id: FromPath[UUID], pool: PoolDep
) -> Redirect:
    def command(actor: ParticipantId, form: FormMultiDict) -> ReviseResponseStep:
        change = acting.parsed(
            ResponseStepChange, {"description": acting.text(form, "description")}
        )
        return build.revise_step(actor, step_id, change, now())

    return await _run(request, pool, plan_id, command, "steps")


@post(PLAN + "/steps/{step_id:uuid}/remove", include_in_schema=False)
async def remove_step(
    request: Req, plan_id: FromPath[UUID], step_id: FromPath[UUID], pool: PoolDep
) -> Redirect:
    def command(actor: ParticipantId, form: FormMultiDict) -> RemoveResponseStep:
        return build.remove_step(actor, step_id, now())

    return await _run(request, pool, plan_id, command, "steps")
