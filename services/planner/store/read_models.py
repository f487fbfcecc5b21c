"""Read models that authorization needs, written in the command's own transaction.

Membership and invite codes follow the plan's events; a projector keeps them in step so a
partner who just joined can act at once. Other read models may lag and are rebuilt by replay.
"""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from contracts.events import PartnerInvited, PartnerJoined, PlanCreated, PlanEvent
from planner.store.event_store import Connection, Executor

INSERT_MEMBER = """
INSERT INTO plan_members (plan_id, participant_id) VALUES ($1, $2)
ON CONFLICT (plan_id, participant_id) DO NOTHING
"""
INSERT_INVITE_CODE = """
INSERT INTO partner_invite_codes (code_sha256, plan_id, expires_at) VALUES ($1, $2, $3)
"""
IS_MEMBER = """
SELECT EXISTS (SELECT 1 FROM plan_members WHERE plan_id = $1 AND participant_id = $2)
"""
PLAN_OF_INVITE = """
SELECT plan_id FROM partner_invite_codes WHERE code_sha256 = $1
"""
PLANS_OF_PARTICIPANT = """
SELECT plan_id FROM plan_members WHERE participant_id = $1 ORDER BY joined_at
"""


# Which events each read model follows; `tandem replay` reads only these.
MEMBER_EVENTS = frozenset({"plan.created", "plan.partner_joined"})
INVITE_EVENTS = frozenset({"plan.partner_invited"})


async def project(conn: Connection, plan_id: UUID, events: Sequence[PlanEvent]) -> None:
    """Apply the authorization read models for freshly appended events (same transaction)."""
    for event in events:
        member = member_joining(event)
        if member is not None:
            await conn.execute(INSERT_MEMBER, plan_id, member)
        invite = invite_code(event)
        if invite is not None:
            await conn.execute(INSERT_INVITE_CODE, invite[0], plan_id, invite[1])


def projects_any(events: Sequence[PlanEvent]) -> bool:
    """Whether ``project`` writes anything for these events (most events write nothing)."""
    return any(member_joining(e) is not None or invite_code(e) is not None for e in events)


def member_joining(event: PlanEvent) -> UUID | None:
    """The participant an event makes a member of its plan, if any (live and replay)."""
    match event:
        case PlanCreated(created_by=participant_id) | PartnerJoined(participant_id=participant_id):
            return participant_id
        case _:
            return None


def invite_code(event: PlanEvent) -> tuple[str, datetime] | None:
    """The invite code hash and expiry an event issues, if any (live and replay)."""
    match event:
        case PartnerInvited(code_sha256=code, expires_at=expires_at):
            return code, expires_at
        case _:
            return None


async def is_member(conn: Executor, plan_id: UUID, participant_id: UUID) -> bool:
    return bool(await conn.fetchval(IS_MEMBER, plan_id, participant_id))


async def plan_of_invite(conn: Executor, code_sha256: str) -> UUID | None:
    plan_id = await conn.fetchval(PLAN_OF_INVITE, code_sha256)
    return None if plan_id is None else UUID(str(plan_id))


async def plans_of(conn: Executor, participant_id: UUID) -> list[UUID]:
    rows = await conn.fetch(PLANS_OF_PARTICIPANT, participant_id)
    return [UUID(str(row["plan_id"])) for row in rows]
