"""Consent, through a signed link: a support contact reads what is asked, then decides.

No account is needed. The link reaches only the contact (the notifier sends it to their
own channels) and names the plan, the contact and the one consent request it answers: it
takes one decision until it expires, is refused once the contact is removed or a newer
request replaces it, and can always withdraw a consent given through it. Nothing about
the partners' health is shown here.
"""

from collections.abc import Callable
from uuid import UUID

import asyncpg
from litestar import Response, get, post
from litestar.params import FromPath, JSONBody

from common import capabilities
from common.capabilities import WHAT_TO_DO, Capability, ExpiredCapability
from common.notice import partner_names, support_notice
from contracts.ids import ConsentRequestId, ContactId
from contracts.support_events import CONSENT_DAYS_DEFAULT
from contracts.vocabulary import ConsentScope
from planner import handlers
from planner.api.commands import now, versioned
from planner.api.deps import CommandsDep, PoolDep, SettingsDep
from planner.api.errors import ResourceNotFound
from planner.api.schemas import ConsentDecision, ConsentRequestView, ConsentSaved, ScopeIn
from planner.domain.commands import DeclineConsent, GiveConsent, WithdrawConsent
from planner.domain.errors import ConsentRequestClosed
from planner.domain.state import PlanState, SupportContact
from planner.handlers.results import CommandResult
from planner.settings import Settings

CONSENT = "/v1/consents/{token:str}"

EXPLANATION = (
    "{names} {keep} a shared recovery plan and {ask} you to be one of their support "
    "contacts. If you accept, you may get a short alert when {asker} for help, on the "
    "channels they listed for you, with a link to say you are on it. You choose the levels "
    "you agree to be alerted for, and whether alerts may include the warning signs or notes "
    "they record, and {chooser} what of theirs you may learn. A yes lasts "
    "for a time you are told, and you are asked again before it ends. If you accept, you "
    "can withdraw at any time with this same link."
)
# The words that change with the number of partners: one partner "keeps" the plan.
ONE_PARTNER = {"keep": "keeps", "ask": "asks", "asker": "they ask", "chooser": "they also choose"}
TWO_PARTNERS = {
    "keep": "keep",
    "ask": "ask",
    "asker": "one of them asks",
    "chooser": "each of them also chooses",
}


def explanation(names_of_partners: list[str]) -> str:
    """The request in words, its verbs agreeing with the number of partners."""
    words = ONE_PARTNER if len(names_of_partners) == 1 else TWO_PARTNERS
    return EXPLANATION.format(names=partner_names(names_of_partners), **words)


def genuine(settings: Settings, token: str) -> Capability:
    """A genuine consent link, expired or not: reading it, and withdrawing through it."""
    return capabilities.verify_signature(settings.secret_key, token, "consent")


def current(settings: Settings, token: str) -> Capability:
    """A genuine consent link that has not expired: accepting or declining through it."""
    try:
        return capabilities.verify(settings.secret_key, token, "consent", now())
    except ExpiredCapability:
        raise ConsentRequestClosed("expired", WHAT_TO_DO["consent"]) from None


async def contact_of(
    pool: asyncpg.Pool, capability: Capability
) -> tuple[PlanState, SupportContact]:
    state = await handlers.load(pool, capability.plan_id)
    contact = None if state is None else state.contacts.get(ContactId(capability.subject_id))
    if state is None or contact is None or contact.removed:
        raise ResourceNotFound("this consent request is no longer open")
    return state, contact


def _scope_out(scope: ConsentScope | None) -> ScopeIn | None:
    if scope is None:
        return None
    return ScopeIn(
        levels=list(scope.levels), share_signs=scope.share_signs, share_notes=scope.share_notes
    )


@get(CONSENT, tags=["consents"])
async def read_consent(
    token: FromPath[str], pool: PoolDep, settings: SettingsDep
) -> ConsentRequestView:
    """What the contact is asked to agree to, and their current answer."""
    capability = genuine(settings, token)
    state, contact = await contact_of(pool, capability)
    request = contact.request
    ours = request is not None and request.request_id == capability.request_id
    days = request.consent_days if ours and request is not None else CONSENT_DAYS_DEFAULT
    at = now()
    return ConsentRequestView(
        contact_name=contact.display_name,
        relationship=contact.relationship,
        asked_by=[p.display_name for p in state.partners],
        status=contact.consent_at(at).value,
        scope=_scope_out(contact.scope),
        explanation=explanation([p.display_name for p in state.partners]),
        open=ours and request is not None and request.is_open(at),
        expires_at=request.expires_at if ours and request is not None else None,
        notice=list(support_notice([p.display_name for p in state.partners], days)),
        consent_days=days,
        consent_expires_at=contact.consent_expires_at,
    )


@post(CONSENT, status_code=200, tags=["consents"])
async def decide_consent(
    token: FromPath[str],
    data: JSONBody[ConsentDecision],
    pool: PoolDep,
    settings: SettingsDep,
    commands: CommandsDep,
) -> Response[ConsentSaved]:
    """Accept (with a scope: levels, and whether signs or notes may be shared) or decline.

    The decision is final for this link: the same answer again changes nothing, another
    is refused (409); an expired or replaced link decides nothing (410).
    """
    capability = current(settings, token)
    await contact_of(pool, capability)
    scope = data.scope or ScopeIn()
    command = decision_command(
        capability,
        accept=data.decision == "accept",
        scope=ConsentScope(
            levels=tuple(dict.fromkeys(scope.levels)),
            share_signs=scope.share_signs,
            share_notes=scope.share_notes,
        ),
    )
    actor = contact_actor(capability)
    return await commands.run(capability.plan_id, command, actor, _saved(command.contact_id))


def decision_command(
    capability: Capability, *, accept: bool, scope: ConsentScope
) -> GiveConsent | DeclineConsent:
    """Accept with ``scope``, or decline, the request the link answers."""
    contact_id = ContactId(capability.subject_id)
    request_id = _request_id(capability)
    if accept:
        return GiveConsent(now=now(), contact_id=contact_id, request_id=request_id, scope=scope)
    return DeclineConsent(now=now(), contact_id=contact_id, request_id=request_id)


def withdraw_command(capability: Capability) -> WithdrawConsent:
    return WithdrawConsent(
        now=now(), contact_id=ContactId(capability.subject_id), request_id=_request_id(capability)
    )


def contact_actor(capability: Capability) -> str:
    return f"contact:{capability.subject_id}"


@post(CONSENT + "/withdraw", status_code=200, tags=["consents"])
async def withdraw_consent(
    token: FromPath[str], pool: PoolDep, settings: SettingsDep, commands: CommandsDep
) -> Response[ConsentSaved]:
    """Withdraw consent: no alert reaches this contact from now on (even past the expiry)."""
    capability = genuine(settings, token)
    await contact_of(pool, capability)
    command = withdraw_command(capability)
    actor = contact_actor(capability)
    return await commands.run(capability.plan_id, command, actor, _saved(command.contact_id))


def _request_id(capability: Capability) -> ConsentRequestId | None:
    request_id = capability.request_id
    return None if request_id is None else ConsentRequestId(request_id)


def _saved(contact_id: UUID) -> Callable[[CommandResult], ConsentSaved]:
    """The contact's consent after the command."""

    def render(result: CommandResult) -> ConsentSaved:
        status = result.state.contacts[ContactId(contact_id)].consent.value
        return versioned(ConsentSaved, contact_id=contact_id, status=status)(result)

    return render
