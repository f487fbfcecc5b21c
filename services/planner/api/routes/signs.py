"""Warning signs: what partners watch for, added, revised and retired. Partners only."""

from uuid import UUID

from litestar import Response, delete, patch, post
from litestar.params import FromPath, JSONBody

from planner.api import content_commands as build
from planner.api.commands import now, versioned
from planner.api.deps import PartnerDep
from planner.api.schemas import NewWarningSign, SignSaved, WarningSignChange

SIGNS = "/v1/plans/{plan_id:str}/warning-signs"
ONE = SIGNS + "/{sign_id:str}"


@post(SIGNS, status_code=201, tags=["warning signs"])
async def add_sign(partner: PartnerDep, data: JSONBody[NewWarningSign]) -> Response[SignSaved]:
    """Add a warning sign; ``owner_id`` says whose sign it is (the caller's by default)."""
    command = build.add_sign(partner.participant_id, data, now())
    return await partner.run(command, versioned(SignSaved, sign_id=command.sign_id))


@patch(ONE, tags=["warning signs"])
async def revise_sign(
    partner: PartnerDep, sign_id: FromPath[UUID], data: JSONBody[WarningSignChange]
) -> Response[SignSaved]:
    """Revise a warning sign's category or description."""
    command = build.revise_sign(partner.participant_id, sign_id, data, now())
    return await partner.run(command, versioned(SignSaved, sign_id=sign_id))


@delete(ONE, status_code=200, tags=["warning signs"])
async def retire_sign(partner: PartnerDep, sign_id: FromPath[UUID]) -> Response[SignSaved]:
    """Retire a warning sign. It leaves the plan; its history stays."""
    command = build.retire_sign(partner.participant_id, sign_id, now())
    return await partner.run(command, versioned(SignSaved, sign_id=sign_id))
