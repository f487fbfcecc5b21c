"""The plan's content: warning signs, response steps and check-ins. Partners only."""

from typing import Any
from uuid import UUID

from litestar import Request, Response, delete, patch, post
from litestar.params import FromPath, JSONBody

from contracts.ids import CheckInId, ParticipantId, SignId, StepId
from planner.api.auth import require_partner
from planner.api.commands import now, run_command
from planner.api.deps import PoolDep, PrincipalDep
from planner.api.schemas import (
    CheckInSaved,
    NewCheckIn,
    NewResponseStep,
    NewWarningSign,
    ResponseStepChange,
    SignSaved,
    StepSaved,
    WarningSignChange,
)
from planner.domain.commands import (
    AddResponseStep,
    AddWarningSign,
    RecordCheckIn,
    RemoveResponseStep,
    RetireWarningSign,
    ReviseResponseStep,
    ReviseWarningSign,
)
from planner.ids import new_id

Req = Request[Any, Any, Any]
SIGNS = "/v1/plans/{plan_id:str}/warning-signs"
STEPS = "/v1/plans/{plan_id:str}/response-steps"


@post(SIGNS, status_code=201, tags=["warning signs"])
async def add_sign(
    request: Req,
    plan_id: FromPath[UUID],
    data: JSONBody[NewWarningSign],
    principal: PrincipalDep,
    pool: PoolDep,
) -> Response[SignSaved]:
    """Add a warning sign; ``owner_id`` says whose sign it is (the caller's by default)."""
    partner = await require_partner(pool, principal, plan_id)
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
    return await run_command(
        request,
        pool,
        plan_id,
        command,
        principal.actor,
        lambda r: SignSaved(plan_id=r.plan_id, version=r.version, sign_id=sign_id),
        status_code=201,
    )


@patch(SIGNS + "/{sign_id:str}", tags=["warning signs"])
async def revise_sign(
    request: Req,
    plan_id: FromPath[UUID],
    sign_id: FromPath[UUID],
    data: JSONBody[WarningSignChange],
    principal: PrincipalDep,
    pool: PoolDep,
) -> Response[SignSaved]:
    """Revise a warning sign's category or description."""
    partner = await require_partner(pool, principal, plan_id)
    command = ReviseWarningSign(
        now=now(),
        actor=partner.participant_id,
        sign_id=SignId(sign_id),
        category=data.category.strip() if data.category else None,
        description=data.description.strip() if data.description else None,
    )
    return await run_command(
        request,
        pool,
        plan_id,
        command,
        principal.actor,
        lambda r: SignSaved(plan_id=r.plan_id, version=r.version, sign_id=sign_id),
    )


@delete(SIGNS + "/{sign_id:str}", status_code=200, tags=["warning signs"])
async def retire_sign(
    request: Req,
    plan_id: FromPath[UUID],
    sign_id: FromPath[UUID],
    principal: PrincipalDep,
    pool: PoolDep,
) -> Response[SignSaved]:
    """Retire a warning sign. It leaves the plan; its history stays."""
    partner = await require_partner(pool, principal, plan_id)
    command = RetireWarningSign(now=now(), actor=partner.participant_id, sign_id=SignId(sign_id))
    return await run_command(
        request,
        pool,
        plan_id,
        command,
        principal.actor,
        lambda r: SignSaved(plan_id=r.plan_id, version=r.version, sign_id=sign_id),
    )


@post(STEPS, status_code=201, tags=["response steps"])
async def add_step(
    request: Req,
    plan_id: FromPath[UUID],
    data: JSONBody[NewResponseStep],
    principal: PrincipalDep,
    pool: PoolDep,
) -> Response[StepSaved]:
    """Add a response step for a level: ``watch``, ``setback`` or ``crisis``."""
    partner = await require_partner(pool, principal, plan_id)
    step_id = StepId(new_id())
    command = AddResponseStep(
        now=now(),
        actor=partner.participant_id,
        step_id=step_id,
        level=data.level,
        description=data.description.strip(),
    )
    return await run_command(
        request,
        pool,
        plan_id,
        command,
        principal.actor,
        lambda r: StepSaved(plan_id=r.plan_id, version=r.version, step_id=step_id),
        status_code=201,
    )


@patch(STEPS + "/{step_id:str}", tags=["response steps"])
async def revise_step(
    request: Req,
    plan_id: FromPath[UUID],
    step_id: FromPath[UUID],
    data: JSONBody[ResponseStepChange],
    principal: PrincipalDep,
    pool: PoolDep,
) -> Response[StepSaved]:
    """Revise a response step's level or description."""
    partner = await require_partner(pool, principal, plan_id)
    command = ReviseResponseStep(
        now=now(),
        actor=partner.participant_id,
        step_id=StepId(step_id),
        level=data.level,
        description=data.description.strip() if data.description else None,
    )
    return await run_command(
        request,
        pool,
        plan_id,
        command,
        principal.actor,
        lambda r: StepSaved(plan_id=r.plan_id, version=r.version, step_id=step_id),
    )


@delete(STEPS + "/{step_id:str}", status_code=200, tags=["response steps"])
async def remove_step(
    request: Req,
    plan_id: FromPath[UUID],
    step_id: FromPath[UUID],
    principal: PrincipalDep,
    pool: PoolDep,
) -> Response[StepSaved]:
    """Remove a response step (its history stays in the plan's events)."""
    partner = await require_partner(pool, principal, plan_id)
    command = RemoveResponseStep(now=now(), actor=partner.participant_id, step_id=StepId(step_id))
    return await run_command(
        request,
        pool,
        plan_id,
        command,
        principal.actor,
        lambda r: StepSaved(plan_id=r.plan_id, version=r.version, step_id=step_id),
    )


@post("/v1/plans/{plan_id:str}/check-ins", status_code=201, tags=["check-ins"])
async def check_in(
    request: Req,
    plan_id: FromPath[UUID],
    data: JSONBody[NewCheckIn],
    principal: PrincipalDep,
    pool: PoolDep,
) -> Response[CheckInSaved]:
    """Record a check-in: mood 1 to 5, craving 0 to 10, a note and the signs noticed."""
    partner = await require_partner(pool, principal, plan_id)
    check_in_id = CheckInId(new_id())
    command = RecordCheckIn(
        now=now(),
        actor=partner.participant_id,
        check_in_id=check_in_id,
        mood=data.mood,
        craving=data.craving,
        note=data.note.strip(),
        signs_noticed=tuple(SignId(s) for s in data.signs_noticed),
    )
    return await run_command(
        request,
        pool,
        plan_id,
        command,
        principal.actor,
        lambda r: CheckInSaved(plan_id=r.plan_id, version=r.version, check_in_id=check_in_id),
        status_code=201,
    )
