"""Erasing yourself, or a support contact of your plan: gone or unreadable for good.

Your account (name, channels, tokens, sessions, your "do not involve" list) is deleted;
you leave each of your plans (your partner keeps it); your data key is deleted, so what
you wrote and what names you in the plans' history reads "[erased]" from then on. The
notifier removes its copies of the messages about you when it hears of it.
"""

from uuid import UUID

from litestar import delete, post
from litestar.params import FromPath, JSONBody

from contracts.ids import ContactId, ParticipantId
from planner.api.auth import require_participant
from planner.api.commands import Req
from planner.api.deps import PartnerDep, PoolDep, PrincipalDep
from planner.api.schemas import ErasureConfirmation
from planner.domain.errors import InvalidCommand
from planner.erasure import running

CONFIRM = "erase"
UNCONFIRMED = ErasureConfirmation()  # no body at all: refused like a wrong one, saying why
HOW_TO_CONFIRM = (
    'send {"confirm": "erase"} to erase yourself: your account and what you wrote are '
    "erased for good, and cannot be brought back"
)
HOW_TO_CONFIRM_CONTACT = (
    'send {"confirm": "erase"} to erase this support contact: what Tandem holds about them '
    "is erased for good, and cannot be brought back"
)


@delete("/v1/participants/me", status_code=204, tags=["participants"])
async def erase_me(
    request: Req,
    principal: PrincipalDep,
    pool: PoolDep,
    data: JSONBody[ErasureConfirmation] = UNCONFIRMED,
) -> None:
    """Erase yourself, for good: the body must be ``{"confirm": "erase"}``.

    Your account, tokens and sessions are deleted (this token stops working), you leave
    each of your plans (your partner keeps it), and everything you wrote or that names you
    in their history reads "[erased]". Refused (409) while a request for help is open on
    one of your plans: resolve it first. Without the confirmation: 422, saying what to send.
    """
    me = require_participant(principal)
    if data.confirm != CONFIRM:
        raise InvalidCommand("confirm", HOW_TO_CONFIRM)
    chain_key: bytes = request.app.state.chain_key
    await running.erase_participant(
        pool,
        ParticipantId(me.participant_id),
        by="self",
        actor=principal.actor,
        chain_key=chain_key,
    )


@post(
    "/v1/plans/{plan_id:str}/supports/{contact_id:str}/erasure", status_code=204, tags=["supports"]
)
async def erase_support(
    request: Req,
    partner: PartnerDep,
    contact_id: FromPath[UUID],
    pool: PoolDep,
    data: JSONBody[ErasureConfirmation] = UNCONFIRMED,
) -> None:
    """Erase a support contact of your plan, for good (when they asked you to, say): the
    body must be ``{"confirm": "erase"}``. Their name, relationship and addresses read
    "[erased]" wherever Tandem kept them, and they get no more messages from this plan.
    Refused (409) while a request for help is open on the plan."""
    if data.confirm != CONFIRM:
        raise InvalidCommand("confirm", HOW_TO_CONFIRM_CONTACT)
    chain_key: bytes = request.app.state.chain_key
    await running.erase_contact(
        pool,
        ContactId(contact_id),
        by="partner",
        actor=f"participant:{partner.participant_id}",
        chain_key=chain_key,
        plan_id=partner.plan_id,
        partner=partner.participant_id,
    )
