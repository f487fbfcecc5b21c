"""Check-ins and the plan's history: how are you today, and what happened when."""

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from planner.api import content_commands
from planner.api.auth import participant_actor
from planner.api.commands import now
from planner.api.deps import PoolDep
from planner.api.errors import BadParameter
from planner.api.schemas import NewCheckIn
from planner.api.views import event_view
from planner.domain.evolve import fold
from planner.store import event_store
from planner.web import acting, session

Req = Request[Any, Any, Any]
PLAN = "/plans/{plan_id:uuid}"
HISTORY_SHOWN = 200
# Each event in the words of the history page.
EVENT_WORDS = {
    "plan.created": "Plan created",
    "plan.partner_invited": "Partner invited",
    "plan.partner_joined": "Partner joined",
    "plan.warning_sign_added": "Warning sign added",
    "plan.warning_sign_revised": "Warning sign changed",
    "plan.warning_sign_retired": "Warning sign retired",
    "plan.response_step_added": "Step added",
    "plan.response_step_revised": "Step changed",
    "plan.response_step_removed": "Step removed",
    "plan.activated": "Asked for help",
    "plan.activation_acknowledged": "Someone answered",
    "plan.activation_resolved": "Request for help closed",
    "plan.alert_delivery_recorded": "Message delivered or failing",
    "plan.activation_escalated": "Moved on to the next people",
    "plan.check_in_recorded": "Check-in",
    "plan.support_contact_added": "Support contact added",
    "plan.consent_requested": "Support contact asked",
    "plan.consent_given": "Support contact agreed",
    "plan.consent_declined": "Support contact said no",
    "plan.consent_withdrawn": "Support contact withdrew",
    "plan.support_contact_removed": "Support contact removed",
    "plan.escalation_policy_set": "Who is alerted changed",
    "plan.sign_in_link_requested": "Sign-in link sent",
    "plan.disclosure_requested": "Partner asked about a support contact",
    "plan.disclosure_chosen": "Partner chose what a support contact may learn",
    "plan.consent_expiring": "A support contact's consent ends soon",
    "plan.participant_erased": "A partner was erased",
    "plan.support_contact_erased": "A support contact was erased",
}


@get(PLAN + "/check-in", include_in_schema=False)
async def check_in_page(request: Req, plan_id: FromPath[UUID], pool: PoolDep) -> Template:
    me = await session.partner_of(request, pool, plan_id)
    state = await acting.plan_of(pool, plan_id)
    signs = [s for s in state.signs.values() if not s.retired]
    context = {"me": me, "plan": state, "signs": signs}
    return Template(template_name="check_in.html", context=context)


@post(PLAN + "/check-ins", include_in_schema=False)
async def check_in(request: Req, plan_id: FromPath[UUID], pool: PoolDep) -> Redirect:
    me = await session.partner_of(request, pool, plan_id)
    form = await acting.form_of(request)
    mood, craving = acting.text(form, "mood", limit=2), acting.text(form, "craving", limit=2)
    new = acting.parsed(
        NewCheckIn,
        {
            "mood": int(mood) if mood.isdigit() else 0,
            "craving": int(craving) if craving.isdigit() else -1,
            "note": acting.text(form, "note"),
            "signs_noticed": form.getall("signs", []),
        },
    )
    command = content_commands.check_in(me.participant_id, new, now())
    return await acting.saved(pool, request, plan_id, me.participant_id, command, "check-ins")


@get(PLAN + "/history", include_in_schema=False)
async def history_page(
    request: Req,
    plan_id: FromPath[UUID],
    pool: PoolDep,
    as_of: Annotated[str, QueryParameter(max_length=40)] = "",
) -> Template:
    """The plan's events, newest first; and with ``as_of``, the plan as it was then."""
    me = await session.partner_of(request, pool, plan_id)
    envelopes = await event_store.read_stream(pool, plan_id)
    names = {}
    state = fold(e.event for e in envelopes)
    if state is not None:
        names = {participant_actor(p.participant_id): p.display_name for p in state.partners}
    events = [event_view(e) for e in reversed(envelopes[-HISTORY_SHOWN:])]
    then = None
    instant = _instant(as_of)
    if instant is not None:
        earlier = fold(e.event for e in envelopes if e.recorded_at <= instant)
        if earlier is not None:
            then = await acting.view_for(pool, earlier, me.participant_id, instant)
    context = {
        "me": me,
        "plan_id": plan_id,
        "events": events,
        "names": names,
        "words": EVENT_WORDS,
        "as_of": as_of,
        "then": then,
    }
    return Template(template_name="history.html", context=context)


def _instant(text: str) -> datetime | None:
    """A time from the page's date-and-time field, read as UTC."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadParameter("as of: give a date and time, e.g. 2026-12-01T18:00") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
