"""Who read a plan with an operator's token: the plan's partners see it, operators list all.

Each operator read of a plan (the plan, its events, an activation) is recorded in the same
request, before the answer (planner.api.auth.require_reader).
"""

from typing import Annotated
from uuid import UUID

from litestar import get
from litestar.params import FromPath, QueryParameter

from planner.api.auth import require_operator, require_partner
from planner.api.deps import PoolDep, PrincipalDep
from planner.api.schemas import INT4_MAX
from planner.store import operator_reads
from planner.store.operator_reads import ReadPage

Before = Annotated[
    int, QueryParameter(ge=0, le=INT4_MAX, description="only reads older than this id (0: all)")
]
Limit = Annotated[int, QueryParameter(ge=1, le=500)]


@get("/v1/plans/{plan_id:str}/operator-reads", tags=["plans"])
async def plan_operator_reads(
    plan_id: FromPath[UUID],
    principal: PrincipalDep,
    pool: PoolDep,
    before: Before = 0,
    limit: Limit = 100,
) -> ReadPage:
    """Every read of this plan by an operator: who, which operation, when; newest first."""
    await require_partner(pool, principal, plan_id)
    return await operator_reads.page(pool, plan_id=plan_id, before=before or None, limit=limit)


@get("/v1/operator/reads", tags=["operators"])
async def all_operator_reads(
    principal: PrincipalDep,
    pool: PoolDep,
    plan_id: Annotated[UUID | None, QueryParameter(description="only this plan's")] = None,
    before: Before = 0,
    limit: Limit = 100,
) -> ReadPage:
    """Operators' reads of plans, newest first: for operators, who answer for each other."""
    require_operator(principal)
    return await operator_reads.page(pool, plan_id=plan_id, before=before or None, limit=limit)
