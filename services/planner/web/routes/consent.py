"""The consent page a support contact opens from their request: read, then accept or decline.

The link is the contact's capability (``api.routes.consents`` checks it the same way): a GET
only shows, whatever fetches it; the buttons POST, and the answer is shown on the same page,
with a Withdraw button once they said yes.
"""

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from contracts.vocabulary import ConsentScope, Level
from planner.api.commands import now
from planner.api.deps import PoolDep, SettingsDep
from planner.api.routes.consents import (
    contact_actor,
    contact_of,
    current,
    decision_command,
    explanation,
    genuine,
    withdraw_command,
)
from planner.domain.errors import InvalidCommand
from planner.web import acting

PAGE = "/consent/{token:str}"


@get(PAGE, include_in_schema=False)
async def consent_page(
    request: Request[Any, Any, Any], token: FromPath[str], pool: PoolDep, settings: SettingsDep
) -> Template:
    """What they are asked, what Tandem keeps about them, and their answer so far."""
    capability = genuine(settings, token)
    state, contact = await contact_of(pool, capability)
    partner_names = [p.display_name for p in state.partners]
    asked = contact.request
    ours = asked is not None and asked.request_id == capability.request_id
    context = {
        "token": token,
        "contact": contact,
        "partner_names": partner_names,
        "explanation": explanation(partner_names),
        "asker": "they ask" if len(partner_names) == 1 else "one of them asks",
        "open": ours and asked is not None and asked.is_open(now()),
        "expires_at": asked.expires_at if ours and asked is not None else None,
        "levels": list(Level),
    }
    return Template(template_name="consent.html", context=context)


@post(PAGE, include_in_schema=False)
async def decide(
    request: Request[Any, Any, Any], token: FromPath[str], pool: PoolDep, settings: SettingsDep
) -> Redirect:
    """Accept with the scope ticked, or decline; then back to the page, which says so."""
    form = await acting.form_of(request)
    decision = form.get("decision")
    if decision not in ("accept", "decline"):
        raise InvalidCommand("decision", "choose Accept or Decline")
    levels = [Level(v) for v in form.getall("levels", []) if v in Level.__members__.values()]
    if decision == "accept" and not levels:
        raise InvalidCommand("levels", "choose at least one level to be alerted for")
    capability = current(settings, token)
    await contact_of(pool, capability)
    command = decision_command(
        capability,
        accept=decision == "accept",
        scope=ConsentScope(
            levels=tuple(dict.fromkeys(levels)),
            share_signs=form.get("share_signs") == "yes",
            share_notes=form.get("share_notes") == "yes",
        ),
    )
    await acting.run(pool, request, capability.plan_id, command, contact_actor(capability))
    return acting.see_other(f"/consent/{token}")


@post(PAGE + "/withdraw", include_in_schema=False)
async def withdraw(
    request: Request[Any, Any, Any], token: FromPath[str], pool: PoolDep, settings: SettingsDep
) -> Redirect:
    """Withdraw: no alert reaches them from now on (even after the link's expiry)."""
    capability = genuine(settings, token)
    await contact_of(pool, capability)
    command = withdraw_command(capability)
    await acting.run(pool, request, capability.plan_id, command, contact_actor(capability))
    return acting.see_other(f"/consent/{token}")
