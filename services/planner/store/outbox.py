"""The outbox: one row per appended event, pending until the relay has published it.

``append`` writes the rows in the event's own transaction. The relay reads what is not yet
published, in position order, and marks what it published. Selecting by "not yet
published" rather than "position greater than the last one seen" is what keeps a
transaction that commits late, with a lower position, from being skipped: its row is
simply still pending the next time the relay looks.
"""

from collections.abc import Sequence
from uuid import UUID

import asyncpg
import msgspec

from planner.store.event_store import EventStoreError, Executor

PENDING = """
SELECT position, event_id, stream_id
FROM outbox
WHERE published_at IS NULL
ORDER BY position
LIMIT $1
"""

MARK_PUBLISHED = """
UPDATE outbox SET published_at = clock_timestamp()
WHERE position = ANY($1::bigint[]) AND published_at IS NULL
"""


class OutboxRow(msgspec.Struct, frozen=True, kw_only=True):
    position: int
    event_id: UUID
    stream_id: UUID


async def pending(conn: Executor, limit: int = 500) -> list[OutboxRow]:
    """Rows not yet published, lowest position first.

    A position below one already published can still appear here (its transaction
    committed late); that is the point, not a bug.
    """
    try:
        rows = await conn.fetch(PENDING, limit)
    except (asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        raise EventStoreError(str(error)) from error
    return [
        OutboxRow(position=row["position"], event_id=row["event_id"], stream_id=row["stream_id"])
        for row in rows
    ]


async def mark_published(conn: Executor, positions: Sequence[int]) -> None:
    """Record that these rows were published. Marking a row twice changes nothing."""
    if not positions:
        return
    try:
        await conn.execute(MARK_PUBLISHED, list(positions))
    except (asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        raise EventStoreError(str(error)) from error
