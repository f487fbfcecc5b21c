"""The plan page: signs and steps by level, supports and their consent, the escalation
policy, recent check-ins, and one button per level to ask for help."""

from typing import Any
from uuid import UUID

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Template

from contracts.vocabulary import Level
from planner.api.deps import PoolDep
from planner.api.views import plan_view
from planner.web import session
from planner.web.acting import plan_of

Req = Request[Any, Any, Any]
RECENT_CHECK_INS = 5


@get("/plans/{plan_id:uuid}", include_in_schema=False)
async def plan_page(request: Req, plan_id: FromPath[UUID], pool: PoolDep) -> Template:
    me = await session.partner_of(request, pool, plan_id)
    state = await plan_of(pool, plan_id)
    view = plan_view(state)
    names = {p.participant_id: p.display_name for p in view.partners}
    contacts = {s.contact_id: s.display_name for s in view.supports}
    context = {
        "me": me,
        "plan": view,
        "levels": list(Level),
        "names": names,
        "contacts": contacts,
        "signs": [s for s in view.warning_signs if not s.retired],
        "open_activations": [a for a in view.activations if a.resolved_at is None],
        "supports": [s for s in view.supports if not s.removed],
        "check_ins": list(reversed(view.check_ins))[:RECENT_CHECK_INS],
        "saved": request.query_params.get("saved", ""),
    }
    return Template(template_name="plan.html", context=context)
