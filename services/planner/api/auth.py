"""Who is calling: a participant (bearer token) or an operator (operator token).

Participants edit the plans they are partners of; operators may read any plan's history
but never edit. Support contacts act through signed links (see capabilities.py).
"""

from datetime import timedelta
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
from litestar import Request

from planner.api.errors import Forbidden, ResourceNotFound, Unauthorized
from planner.store import accounts, event_store, operator_reads, read_models, tokens
from planner.store.accounts import Operator, Participant

BEARER = "bearer "


def participant_actor(participant_id: UUID) -> str:
    """How the plan's history names a participant who acted (``Metadata.actor``)."""
    return f"participant:{participant_id}"


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    participant: Participant | None = None
    token_id: UUID | None = None  # the participant's token that made this request
    operator: Operator | None = None

    @property
    def actor(self) -> str:
        if self.participant is not None:
            return participant_actor(self.participant.participant_id)
        if self.operator is not None:
            return f"operator:{self.operator.operator_id}"
        raise Unauthorized("no caller")


def bearer_token(request: Request[Any, Any, Any]) -> str:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith(BEARER) or not header[len(BEARER) :].strip():
        raise Unauthorized("send 'Authorization: Bearer <token>'")
    return header[len(BEARER) :].strip()


async def authenticate(pool: asyncpg.Pool, token: str, token_lifetime: timedelta) -> Principal:
    holder = await tokens.holder(pool, token, token_lifetime)
    if holder is not None:
        return Principal(participant=holder.participant, token_id=holder.token_id)
    operator = await accounts.operator_by_token(pool, token)
    if operator is not None:
        return Principal(operator=operator)
    raise Unauthorized("unknown, expired or revoked token")


def require_operator(principal: Principal) -> Operator:
    if principal.operator is None:
        raise Forbidden("only operators' tokens may list operators' reads")
    return principal.operator


def require_participant(principal: Principal) -> Participant:
    if principal.participant is None:
        raise Forbidden("operators may read plans but not change them")
    return principal.participant


async def _plan_exists(pool: asyncpg.Pool, plan_id: UUID) -> bool:
    return await event_store.is_plan(pool, plan_id)


async def require_partner(pool: asyncpg.Pool, principal: Principal, plan_id: UUID) -> Participant:
    """The caller must be a partner of the plan: 404 when it doesn't exist, 403 otherwise."""
    participant = require_participant(principal)
    if await read_models.is_member(pool, plan_id, participant.participant_id):
        return participant
    if not await _plan_exists(pool, plan_id):
        raise ResourceNotFound(f"plan {plan_id} not found")
    raise Forbidden("you are not a partner of this plan")


async def require_reader(
    pool: asyncpg.Pool, principal: Principal, plan_id: UUID, operation: str
) -> None:
    """Partners read their plan; operators read any plan, and each such read is recorded.

    The record is written before anything of the plan is read: a read that cannot be
    recorded fails and shows nothing. ``operation`` names the route as the OpenAPI
    document does.
    """
    if principal.operator is not None:
        if not await _plan_exists(pool, plan_id):
            raise ResourceNotFound(f"plan {plan_id} not found")
        await operator_reads.record(pool, principal.operator.operator_id, plan_id, operation)
        return
    await require_partner(pool, principal, plan_id)
