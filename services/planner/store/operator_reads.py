"""Operators' reads of plans: recorded before the answer is sent, listed newest first.

The table is append-only (migration 0008): a read once recorded stays, whoever asks.
"""

from datetime import datetime
from uuid import UUID

import msgspec

from planner.store.event_store import Executor

RECORD = """
INSERT INTO operator_reads (operator_id, plan_id, operation) VALUES ($1, $2, $3)
"""
# Newest first, a page at a time: rows before the cursor ``read_id``, of one plan or of all.
LIST = """
SELECT r.read_id, r.operator_id, o.label AS operator_label, r.plan_id, r.operation, r.read_at
FROM operator_reads AS r JOIN operator_tokens AS o USING (operator_id)
WHERE ($1::uuid IS NULL OR r.plan_id = $1) AND ($2::int IS NULL OR r.read_id < $2)
ORDER BY r.read_id DESC LIMIT $3
"""


class OperatorRead(msgspec.Struct, frozen=True, kw_only=True):
    read_id: int
    operator_id: UUID
    operator_label: str
    plan_id: UUID
    operation: str  # as the OpenAPI document names it: "GET /v1/plans/{plan_id}/events"
    read_at: datetime


class ReadPage(msgspec.Struct, frozen=True, kw_only=True):
    reads: list[OperatorRead]
    next_before: int | None  # pass as ``before`` for older reads; null on the last page


async def record(conn: Executor, operator_id: UUID, plan_id: UUID, operation: str) -> None:
    await conn.execute(RECORD, operator_id, plan_id, operation)


async def page(
    conn: Executor, *, plan_id: UUID | None = None, before: int | None = None, limit: int = 100
) -> ReadPage:
    """Reads newest first, of ``plan_id`` or of every plan, older than read ``before``."""
    rows = await conn.fetch(LIST, plan_id, before, limit)
    reads = [OperatorRead(**dict(row)) for row in rows]
    next_before = reads[-1].read_id if len(reads) == limit else None
    return ReadPage(reads=reads, next_before=next_before)
