"""Erasing on the pages: a partner erases themself (from My privacy) or a support contact of
their plan (from the plan page), a support contact themself (from their consent page). Each
asks first, on a page of its own that says what goes and that it cannot be undone; the form
there carries ``confirm=erase``.

The same erasure as the JSON routes and ``tandem erase`` (``planner.erasure``): refused, in
plain words, while a request for help is open.
"""

from typing import Any
from uuid import UUID

import asyncpg
from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from contracts.ids import ContactId, ParticipantId
from planner import handlers
from planner.api.deps import PoolDep, SettingsDep
from planner.api.errors import ResourceNotFound
from planner.api.routes.consents import contact_actor, genuine
from planner.domain.errors import InvalidCommand
from planner.domain.state import PlanState
from planner.erasure import running
from planner.web import acting, session

Req = Request[Any, Any, Any]
MINE = "/me/erase"
CONTACT = "/consent/{token:str}/erase"
SUPPORT = "/plans/{plan_id:uuid}/supports/{contact_id:uuid}/erase"
ERASED = "/erased"
NOT_CONFIRMED = "tick the box to confirm, then press Erase"


@get(MINE, include_in_schema=False)
async def confirm_mine(request: Req, pool: PoolDep) -> Template:
    me = await session.signed_in(request, pool)
    context = {"me": me, "action": MINE, "who": "partner"}
    return Template(template_name="erase.html", context=context)


@post(MINE, include_in_schema=False)
async def erase_mine(request: Req, pool: PoolDep) -> Response[Any]:
    me = await session.signed_in(request, pool)
    await _confirmed(request)
    await running.erase_participant(
        pool,
        ParticipantId(me.participant_id),
        by="self",
        actor=f"participant:{me.participant_id}",
        chain_key=request.app.state.chain_key,
    )
    # The session went with the account: the cookie is only cleared here.
    response: Response[Any] = acting.see_other(ERASED + "?who=partner")
    response.delete_cookie(key=session.COOKIE, path="/")
    return response


@get(CONTACT, include_in_schema=False)
async def confirm_contact(token: FromPath[str], pool: PoolDep, settings: SettingsDep) -> Template:
    capability = genuine(settings, token)
    state = await _erasable_contact(pool, capability.plan_id, ContactId(capability.subject_id))
    # The words follow the number of partners, as on the consent page.
    asker = "they have" if len(state.partners) == 1 else "one of them has"
    context = {
        "action": f"/consent/{token}/erase",
        "who": "contact",
        "token": token,
        "asker": asker,
    }
    return Template(template_name="erase.html", context=context)


@post(CONTACT, include_in_schema=False)
async def erase_contact(
    request: Req, token: FromPath[str], pool: PoolDep, settings: SettingsDep
) -> Redirect:
    """A genuine link erases, even expired or after the contact was removed from the plan."""
    capability = genuine(settings, token)
    contact_id = ContactId(capability.subject_id)
    await _erasable_contact(pool, capability.plan_id, contact_id)
    await _confirmed(request)
    await running.erase_contact(
        pool,
        contact_id,
        by="self",
        actor=contact_actor(capability),
        chain_key=request.app.state.chain_key,
        plan_id=capability.plan_id,
    )
    return acting.see_other(ERASED + "?who=contact")


@get(SUPPORT, include_in_schema=False)
async def confirm_support(
    request: Req, plan_id: FromPath[UUID], contact_id: FromPath[UUID], pool: PoolDep
) -> Template:
    me = await session.partner_of(request, pool, plan_id)
    state = await _erasable_contact(pool, plan_id, ContactId(contact_id))
    context = {
        "me": me,
        "who": "support",
        "name": state.contacts[ContactId(contact_id)].display_name,
        "plan_id": plan_id,
        "action": f"/plans/{plan_id}/supports/{contact_id}/erase",
    }
    return Template(template_name="erase.html", context=context)


@post(SUPPORT, include_in_schema=False)
async def erase_support(
    request: Req, plan_id: FromPath[UUID], contact_id: FromPath[UUID], pool: PoolDep
) -> Redirect:
    me = await session.partner_of(request, pool, plan_id)
    await _erasable_contact(pool, plan_id, ContactId(contact_id))
    await _confirmed(request)
    await running.erase_contact(
        pool,
        ContactId(contact_id),
        by="partner",
        actor=f"participant:{me.participant_id}",
        chain_key=request.app.state.chain_key,
        plan_id=plan_id,
        partner=ParticipantId(me.participant_id),
    )
    return acting.see_other(f"/plans/{plan_id}#supports")


@get(ERASED, include_in_schema=False)
async def erased_page(request: Req) -> Template:
    who = "contact" if request.query_params.get("who") == "contact" else "partner"
    return Template(template_name="erased.html", context={"who": who})


async def _confirmed(request: Req) -> None:
    form = await acting.form_of(request)
    if form.get("confirm") != "erase":
        raise InvalidCommand("confirm", NOT_CONFIRMED)


async def _erasable_contact(pool: asyncpg.Pool, plan_id: UUID, contact_id: ContactId) -> PlanState:
    """The plan, which holds this contact, not erased yet (else: 404)."""
    state = await handlers.load(pool, plan_id)
    if state is None or contact_id not in state.contacts or contact_id in state.erased:
        raise ResourceNotFound("there is nobody here to erase")
    return state
