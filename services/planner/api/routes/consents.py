"""Consent, through a signed link: a support contact reads what is asked, then decides.

No account is needed; the link names the plan and the contact, and is refused once the
contact is removed. Nothing about the partners' health is shown here.
"""

from collections.abc import Callable
from uuid import UUID

import asyncpg
from litestar import Response, get, post
from litestar.params import FromPath, JSONBody

from common import capabilities
from common.capabilities import Capability
from contracts.ids import ContactId
from contracts.vocabulary import ConsentScope
from planner import handlers
from planner.api.commands import now, versioned
from planner.api.deps import CommandsDep, PoolDep, SettingsDep
from planner.api.errors import ResourceNotFound
from planner.api.schemas import ConsentDecision, ConsentRequestView, ConsentSaved, ScopeIn
from planner.domain.commands import DeclineConsent, GiveConsent, WithdrawConsent
from planner.domain.state import PlanState, SupportContact
from planner.handlers.results import CommandResult
from planner.settings import Settings

CONSENT = "/v1/consents/{token:str}"

EXPLANATION = (
    "{names} keep a shared recovery plan and ask you to be one of their support contacts. "
    "If you accept, you may get a short alert when one of them asks for help, on the "
    "channels they listed for you, with a link to say you are on it. You choose the levels "
    "you agree to be alerted for, and whether alerts may include the warning signs or notes "
    "they record. You can withdraw at any time with this same link."
)


def _verify(settings: Settings, token: str) -> Capability:
    return capabilities.verify(settings.secret_key, token, "consent", now())


async def _contact(pool: asyncpg.Pool, capability: Capability) -> tuple[PlanState, SupportContact]:
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
    state, contact = await _contact(pool, _verify(settings, token))
    names = " and ".join(p.display_name for p in state.partners)
    return ConsentRequestView(
        contact_name=contact.display_name,
        relationship=contact.relationship,
        asked_by=[p.display_name for p in state.partners],
        status=contact.consent.value,
        scope=_scope_out(contact.scope),
        explanation=EXPLANATION.format(names=names),
    )


@post(CONSENT, status_code=200, tags=["consents"])
async def decide_consent(
    token: FromPath[str],
    data: JSONBody[ConsentDecision],
    pool: PoolDep,
    settings: SettingsDep,
    commands: CommandsDep,
) -> Response[ConsentSaved]:
    """Accept (with a scope: levels, and whether signs or notes may be shared) or decline."""
    capability = _verify(settings, token)
    await _contact(pool, capability)
    contact_id = ContactId(capability.subject_id)
    command: GiveConsent | DeclineConsent
    if data.decision == "accept":
        scope = data.scope or ScopeIn()
        command = GiveConsent(
            now=now(),
            contact_id=contact_id,
            scope=ConsentScope(
                levels=tuple(dict.fromkeys(scope.levels)),
                share_signs=scope.share_signs,
                share_notes=scope.share_notes,
            ),
        )
    else:
        command = DeclineConsent(now=now(), contact_id=contact_id)
    actor = f"contact:{contact_id}"
    return await commands.run(capability.plan_id, command, actor, _saved(contact_id))


@post(CONSENT + "/withdraw", status_code=200, tags=["consents"])
async def withdraw_consent(
    token: FromPath[str], pool: PoolDep, settings: SettingsDep, commands: CommandsDep
) -> Response[ConsentSaved]:
    """Withdraw consent: no alert reaches this contact from now on."""
    capability = _verify(settings, token)
    await _contact(pool, capability)
    contact_id = ContactId(capability.subject_id)
    command = WithdrawConsent(now=now(), contact_id=contact_id)
    actor = f"contact:{contact_id}"
    return await commands.run(capability.plan_id, command, actor, _saved(contact_id))


def _saved(contact_id: UUID) -> Callable[[CommandResult], ConsentSaved]:
    """The contact's consent after the command."""

    def render(result: CommandResult) -> ConsentSaved:
        status = result.state.contacts[ContactId(contact_id)].consent.value
        return versioned(ConsentSaved, contact_id=contact_id, status=status)(result)

    return render
