"""Warning signs: what partners watch for, added, revised and retired. Partners only."""

from uuid import UUID

from litestar import Response, delete, patch, post
from litestar.params import FromPath, JSONBody

from common.ids import new_id
from contracts.ids import ParticipantId, SignId
from planner.api.commands import now, versioned
from planner.api.deps import PartnerDep
from planner.api.schemas import NewWarningSign, SignSaved, WarningSignChange
from planner.domain.commands import AddWarningSign, RetireWarningSign, ReviseWarningSign

SIGNS = "/v1/plans/{plan_id:str}/warning-signs"
ONE = SIGNS + "/{sign_id:str}"


@post(SIGNS, status_code=201, tags=["warning signs"])
async def add_sign(partner: PartnerDep, data: JSONBody[NewWarningSign]) -> Response[SignSaved]:
    """Add a warning sign; ``owner_id`` says whose sign it is (the caller's by default)."""
    sign_id = SignId(new_id())
    command = AddWarningSign(
        now=now(),
        actor=partner.participant_id,
        sign_id=sign_id,
        owner_id=ParticipantId(data.owner_id or partner.participant_id),
        category=data.category.strip(),
        description=data.description.strip(),
        level=data.level,
    )
    return await partner.run(command, versioned(SignSaved, sign_id=sign_id))


@patch(ONE, tags=["warning signs"])
async def revise_sign(
    partner: PartnerDep, sign_id: FromPath[UUID], data: JSONBody[WarningSignChange]
) -> Response[SignSaved]:
    """Revise a warning sign's category or description."""
    command = ReviseWarningSign(
        now=now(),
        actor=partner.participant_id,
        sign_id=SignId(sign_id),
        category=data.category.strip() if data.category else None,
        description=data.description.strip() if data.description else None,
    )
    return await partner.run(command, versioned(SignSaved, sign_id=sign_id))


@delete(ONE, status_code=200, tags=["warning signs"])
async def retire_sign(partner: PartnerDep, sign_id: FromPath[UUID]) -> Response[SignSaved]:
    """Retire a warning sign. It leaves the plan; its history stays."""
    command = RetireWarningSign(now=now(), actor=partner.participant_id, sign_id=SignId(sign_id))
    return await partner.run(command, versioned(SignSaved, sign_id=sign_id))
