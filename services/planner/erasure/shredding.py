"""Deleting a person's data key: what makes their sealed fields unreadable for good."""

from uuid import UUID

from planner.store.event_store import Executor


async def shred(conn: Executor, subject_id: UUID) -> None:
    """Stands in for ``planner.store.sealing.shred`` until sealing is part of the store."""
    del conn, subject_id
