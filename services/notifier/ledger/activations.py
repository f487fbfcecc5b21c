"""Activations as the notifier knows them, and the warning signs their alerts quote.

Each activation keeps the snapshot its event froze (tiers, recipients, consent scopes), so
a later tier is alerted as the activation was, whatever the plan became since. Its status
moves only forward: triggered → acknowledged → resolved.
"""

from collections.abc import Iterable
from uuid import UUID

import asyncpg
import msgspec

from contracts.events import PlanActivated
from notifier import correlation
from notifier.domain.escalation import ActivationStatus
from notifier.ledger.sessions import Connection, Executor

REMEMBER = """
INSERT INTO notifier.activations (activation_id, plan_id, snapshot, correlation_id)
VALUES ($1, $2, $3::jsonb, $4)
ON CONFLICT (activation_id) DO NOTHING
"""
LOAD = """
SELECT activation_id, plan_id, snapshot::text AS snapshot, status, acknowledged_by,
    correlation_id
FROM notifier.activations WHERE activation_id = $1
"""
LOCK = LOAD.strip() + " FOR UPDATE"
# Moves only forward: triggered → acknowledged → resolved; a repeat changes nothing. Each
# returns the row it moved, so the caller needs no second look at it.
ACKNOWLEDGE = """
UPDATE notifier.activations SET status = 'acknowledged', acknowledged_by = $2, updated_at = now()
WHERE activation_id = $1 AND status = 'triggered'
RETURNING activation_id, plan_id, snapshot::text AS snapshot, status, acknowledged_by,
    correlation_id
"""
RESOLVE = """
UPDATE notifier.activations SET status = 'resolved', updated_at = now()
WHERE activation_id = $1 AND status <> 'resolved'
RETURNING activation_id, plan_id, snapshot::text AS snapshot, status, acknowledged_by,
    correlation_id
"""
# A revision names no owner ($4 null): the owner the sign was added with stays.
UPSERT_SIGN = """
INSERT INTO notifier.signs (sign_id, plan_id, description, owner_id) VALUES ($1, $2, $3, $4)
ON CONFLICT (sign_id) DO UPDATE SET description = excluded.description,
    owner_id = coalesce(excluded.owner_id, notifier.signs.owner_id)
"""
SIGNS = "SELECT sign_id, description FROM notifier.signs WHERE sign_id = ANY($1::uuid[])"


class ActivationRecord(msgspec.Struct, frozen=True, kw_only=True):
    activation_id: UUID
    plan_id: UUID
    snapshot: PlanActivated
    status: ActivationStatus
    acknowledged_by: UUID | None
    correlation_id: UUID | None = None


_snapshot = msgspec.json.Decoder(PlanActivated)


async def remember_activation(conn: Executor, plan_id: UUID, activated: PlanActivated) -> bool:
    """Keep the activation's frozen snapshot; False when it was known already (a replay)."""
    status = await conn.execute(
        REMEMBER,
        activated.activation_id,
        plan_id,
        msgspec.json.encode(activated).decode(),
        correlation.current(),
    )
    return status.endswith(" 1")


async def load_activation(conn: Executor, activation_id: UUID) -> ActivationRecord | None:
    return _record(await conn.fetchrow(LOAD, activation_id))


async def lock_activation(conn: Connection, activation_id: UUID) -> ActivationRecord | None:
    """The activation, its row locked until the caller's transaction ends."""
    return _record(await conn.fetchrow(LOCK, activation_id))


def _record(row: asyncpg.Record | None) -> ActivationRecord | None:
    if row is None:
        return None
    return ActivationRecord(
        activation_id=row["activation_id"],
        plan_id=row["plan_id"],
        snapshot=_snapshot.decode(row["snapshot"]),
        status=ActivationStatus(row["status"]),
        acknowledged_by=row["acknowledged_by"],
        correlation_id=row["correlation_id"],
    )


async def mark_acknowledged(
    conn: Executor, activation_id: UUID, by: UUID
) -> ActivationRecord | None:
    """The activation, acknowledged now; None when it was not waiting for an answer."""
    return _record(await conn.fetchrow(ACKNOWLEDGE, activation_id, by))


async def mark_resolved(conn: Executor, activation_id: UUID) -> ActivationRecord | None:
    """The activation, resolved now; None when it was resolved already (or is unknown)."""
    return _record(await conn.fetchrow(RESOLVE, activation_id))


async def remember_sign(
    conn: Connection, sign_id: UUID, plan_id: UUID, description: str, owner_id: UUID | None
) -> None:
    """Keep a warning sign's latest description, for the alerts that quote it, and whose it
    is (None for a revision: the owner stays)."""
    await conn.execute(UPSERT_SIGN, sign_id, plan_id, description, owner_id)


async def sign_descriptions(conn: Connection, sign_ids: Iterable[UUID]) -> dict[UUID, str]:
    """The descriptions known of ``sign_ids``, by sign id."""
    rows = await conn.fetch(SIGNS, list(sign_ids))
    return {row["sign_id"]: row["description"] for row in rows}
