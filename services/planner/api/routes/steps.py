"""Response steps: what partners do at each level of trouble. Partners only."""

from uuid import UUID

from litestar import Response, delete, patch, post
from litestar.params import FromPath, JSONBody

from common.ids import new_id
from contracts.ids import StepId
from planner.api.commands import now, versioned
from planner.api.deps import PartnerDep
from planner.api.schemas import NewResponseStep, ResponseStepChange, StepSaved
from planner.domain.commands import AddResponseStep, RemoveResponseStep, ReviseResponseStep

STEPS = "/v1/plans/{plan_id:str}/response-steps"
ONE = STEPS + "/{step_id:str}"


@post(STEPS, status_code=201, tags=["response steps"])
async def add_step(partner: PartnerDep, data: JSONBody[NewResponseStep]) -> Response[StepSaved]:
    """Add a response step for a level: ``watch``, ``setback`` or ``crisis``."""
    step_id = StepId(new_id())
    command = AddResponseStep(
        now=now(),
        actor=partner.participant_id,
        step_id=step_id,
        level=data.level,
        description=data.description.strip(),
    )
    return await partner.run(command, versioned(StepSaved, step_id=step_id))


@patch(ONE, tags=["response steps"])
async def revise_step(
    partner: PartnerDep, step_id: FromPath[UUID], data: JSONBody[ResponseStepChange]
) -> Response[StepSaved]:
    """Revise a response step's level or description."""
    command = ReviseResponseStep(
        now=now(),
        actor=partner.participant_id,
        step_id=StepId(step_id),
        level=data.level,
        description=data.description.strip() if data.description else None,
    )
    return await partner.run(command, versioned(StepSaved, step_id=step_id))


@delete(ONE, status_code=200, tags=["response steps"])
async def remove_step(partner: PartnerDep, step_id: FromPath[UUID]) -> Response[StepSaved]:
    """Remove a response step (its history stays in the plan's events)."""
    command = RemoveResponseStep(now=now(), actor=partner.participant_id, step_id=StepId(step_id))
    return await partner.run(command, versioned(StepSaved, step_id=step_id))
