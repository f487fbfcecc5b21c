"""Plan commands as the integration tests run them through ``planner.handlers``."""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
from uuid_utils.compat import uuid7

from contracts.envelope import Metadata
from contracts.ids import PlanId, SignId
from planner import handlers
from planner.domain.commands import AddWarningSign, CreatePlan
from planner.store import verification
from tests.support.builders import ALEX, CHAIN_KEY

METADATA = Metadata(actor=f"participant:{ALEX}", correlation_id=UUID(int=1))


def create_plan(plan_id: UUID) -> CreatePlan:
    return CreatePlan(
        now=datetime.now(UTC), plan_id=PlanId(plan_id), title="t", actor=ALEX, actor_name="A"
    )


def add_sign(sign_id: SignId | None = None) -> AddWarningSign:
    return AddWarningSign(
        now=datetime.now(UTC),
        actor=ALEX,
        sign_id=sign_id or SignId(uuid7()),
        owner_id=ALEX,
        category="sleep",
        description="up late",
    )


async def run(pool: asyncpg.Pool, plan_id: UUID, command: Any) -> handlers.CommandResult:
    return await handlers.execute(pool, plan_id, command, METADATA, chain_key=CHAIN_KEY)


async def chain_ok(pool: asyncpg.Pool) -> bool:
    """Whether the store's hash chain verifies end to end."""
    async with pool.acquire() as conn:
        return (await verification.verify(conn, CHAIN_KEY)).ok
