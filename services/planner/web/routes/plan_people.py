"""The plan page's forms about people: supports (ask, ask again, remove), who is alerted
when (the escalation policy), and the invite for the second partner."""

from datetime import timedelta
from typing import Any
from uuid import UUID

from litestar import Request, post
from litestar.datastructures import FormMultiDict
from litestar.params import FromPath
from litestar.response import Redirect, Template

from common.capabilities import invite_code
from common.ids import new_id
from contracts.ids import ContactId, InviteId
from contracts.vocabulary import ChannelKind
from planner.api import people_commands
from planner.api.auth import participant_actor
from planner.api.commands import now
from planner.api.deps import PoolDep, SettingsDep
from planner.api.privacy_schemas import DisclosureChange
from planner.api.routes.plans import INVITE_LIFETIME, code_hash
from planner.api.schemas import EscalationPolicyIn, NewSupport
from planner.domain.commands import (
    InvitePartner,
    RemoveSupportContact,
)
from planner.web import acting, session

Req = Request[Any, Any, Any]
PLAN = "/plans/{plan_id:uuid}"
SECONDS_PER_MINUTE = 60


@post(PLAN + "/supports", include_in_schema=False)
async def add_support(
    request: Req, plan_id: FromPath[UUID], pool: PoolDep, settings: SettingsDep
) -> Redirect:
    """Ask someone to help: the request goes to their own e-mail or phone, never to us."""
    me = await session.partner_of(request, pool, plan_id)
    form = await acting.form_of(request)
    channels = [
        {"kind": kind.value, "address": acting.text(form, kind.value, limit=320)}
        for kind in (ChannelKind.EMAIL, ChannelKind.SMS)
        if acting.text(form, kind.value, limit=320)
    ]
    fields = {k: acting.text(form, k) for k in ("display_name", "relationship")}
    disclosure = _choice(form)
    new = acting.parsed(NewSupport, {**fields, "channels": channels, "disclosure": disclosure})
    command = await people_commands.add_support(
        pool, settings, plan_id, me.participant_id, new, now()
    )
    return await acting.saved(pool, request, plan_id, me.participant_id, command, "supports")


def _choice(form: FormMultiDict) -> dict[str, bool]:
    """A disclosure choice from its three checkboxes (a box left clear is not sent)."""
    return {name: form.get(name) == "yes" for name in ("alert", "share_signs", "share_note")}


@post(PLAN + "/supports/{contact_id:uuid}/disclosure", include_in_schema=False)
async def set_disclosure(
    request: Req, plan_id: FromPath[UUID], contact_id: FromPath[UUID], pool: PoolDep
) -> Redirect:
    """My own choice about a contact: whether they are told when I ask for help, and what
    of mine they may see. Only ever the signed-in partner's own choice."""
    me = await session.partner_of(request, pool, plan_id)
    change = acting.parsed(DisclosureChange, _choice(await acting.form_of(request)))
    command = people_commands.set_disclosure(
        me.participant_id, ContactId(contact_id), change, now()
    )
    return await acting.saved(pool, request, plan_id, me.participant_id, command, "supports")


@post(PLAN + "/supports/{contact_id:uuid}/ask", include_in_schema=False)
async def ask_again(
    request: Req,
    plan_id: FromPath[UUID],
    contact_id: FromPath[UUID],
    pool: PoolDep,
    settings: SettingsDep,
) -> Redirect:
    me = await session.partner_of(request, pool, plan_id)
    command = people_commands.request_consent(settings, me.participant_id, contact_id, now())
    return await acting.saved(pool, request, plan_id, me.participant_id, command, "supports")


@post(PLAN + "/supports/{contact_id:uuid}/remove", include_in_schema=False)
async def remove_support(
    request: Req, plan_id: FromPath[UUID], contact_id: FromPath[UUID], pool: PoolDep
) -> Redirect:
    me = await session.partner_of(request, pool, plan_id)
    command = RemoveSupportContact(
        now=now(), actor=me.participant_id, contact_id=ContactId(contact_id)
    )
    return await acting.saved(pool, request, plan_id, me.participant_id, command, "supports")


@post(PLAN + "/escalation", include_in_schema=False)
async def set_escalation(request: Req, plan_id: FromPath[UUID], pool: PoolDep) -> Redirect:
    """A level's steps of people (one or two), each with the minutes to wait for an answer."""
    me = await session.partner_of(request, pool, plan_id)
    form = await acting.form_of(request)
    tiers = []
    for step in ("1", "2"):
        chosen = form.getall(f"tier{step}", [])
        if chosen:
            minutes = acting.text(form, f"wait{step}", limit=5)
            seconds = int(minutes) * SECONDS_PER_MINUTE if minutes.isdigit() else 0
            tiers.append({"contact_ids": chosen, "ack_timeout_seconds": seconds})
    policy = acting.parsed(
        EscalationPolicyIn, {"level": acting.text(form, "level"), "tiers": tiers}
    )
    command = people_commands.escalation_policy(me.participant_id, policy, now())
    return await acting.saved(pool, request, plan_id, me.participant_id, command, "escalation")


@post(PLAN + "/invite", include_in_schema=False)
async def invite(
    request: Req, plan_id: FromPath[UUID], pool: PoolDep, settings: SettingsDep
) -> Template:
    """An invite code for the second partner, shown on this page only (only its hash is kept)."""
    me = await session.partner_of(request, pool, plan_id)
    invite_id, at = InviteId(new_id()), now()
    code = invite_code(settings.secret_key, invite_id)
    command = InvitePartner(
        now=at,
        actor=me.participant_id,
        invite_id=invite_id,
        code_sha256=code_hash(code),
        expires_at=at + INVITE_LIFETIME,
    )
    await acting.run(pool, request, plan_id, command, participant_actor(me.participant_id))
    context = {
        "plan_id": plan_id,
        "code": code,
        "link": f"{settings.base_url}/?code={code}",
        "days": INVITE_LIFETIME // timedelta(days=1),
    }
    return Template(template_name="invite.html", context=context)
