"""Response steps: what partners do at each level of trouble. Partners only."""

from uuid import UUID

from litestar import Response, delete, patch, post
from litestar.params import FromPath, JSONBody

from planner.api import content_commands as build
from planner.api.commands import now, versioned
from planner.api.deps import PartnerDep
from planner.api.schemas import NewResponseStep, ResponseStepChange, StepSaved

STEPS = "/v1/plans/{plan_id:str}/response-steps"
ONE = STEPS + "/{step_id:str}"


@post(STEPS, status_code=201, tags=["response steps"])
async def add_step(partner: PartnerDep, data: JSONBody[NewResponseStep]) -> Response[StepSaved]:
    """Add a response step for a level: ``watch``, ``setback`` or ``crisis``."""
    command = build.add_step(partner.participant_id, data, now())
    return await partner.run(command, versioned(StepSaved, step_id=command.step_id))


@patch(ONE, tags=["response steps"])
async def revise_step(
    partner: PartnerDep, step_id: FromPath[UUID], data: JSONBody[ResponseStepChange]
) -> Response[StepSaved]:
    """Revise a response step's level or description."""
    command = build.revise_step(partner.participant_id, step_id, data, now())
    return await partner.run(command, versioned(StepSaved, step_id=step_id))


@delete(ONE, status_code=200, tags=["response steps"])
async def remove_step(partner: PartnerDep, step_id: FromPath[UUID]) -> Response[StepSaved]:
    """Remove a response step (its history stays in the plan's events)."""
    command = build.remove_step(partner.participant_id, step_id, now())
    return await partner.run(command, versioned(StepSaved, step_id=step_id))
