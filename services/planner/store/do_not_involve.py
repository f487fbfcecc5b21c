"""Each participant's "do not involve" list: private rows, never events.

The list is the owner's alone, reason included, so it is not on the plan's stream, which
the other partner reads. A plan command that needs it (adding a contact, activating) gets
the address keys read here, and the decider applies them.
"""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import msgspec

from contracts.ids import ParticipantId
from planner.store.event_store import Executor

INSERT_ENTRY = """
INSERT INTO do_not_involve (entry_id, participant_id, address_key, reason)
VALUES ($1, $2, $3, $4)
ON CONFLICT (participant_id, address_key) DO UPDATE SET reason = EXCLUDED.reason
RETURNING entry_id, address_key, reason, created_at
"""
ENTRIES_OF = """
SELECT entry_id, address_key, reason, created_at FROM do_not_involve
WHERE participant_id = $1 ORDER BY created_at, entry_id
"""
DELETE_ENTRY = """
DELETE FROM do_not_involve WHERE participant_id = $1 AND entry_id = $2
"""
KEYS_OF = """
SELECT participant_id, address_key FROM do_not_involve WHERE participant_id = ANY($1::uuid[])
"""


class Entry(msgspec.Struct, frozen=True, kw_only=True):
    entry_id: UUID
    address_key: str
    reason: str
    created_at: datetime


async def add(
    conn: Executor, entry_id: UUID, participant_id: UUID, address_key: str, reason: str
) -> Entry:
    """Add an entry (or give an address already listed its new reason)."""
    row = await conn.fetchrow(INSERT_ENTRY, entry_id, participant_id, address_key, reason)
    return Entry(**dict(row or {}))


async def entries(conn: Executor, participant_id: UUID) -> list[Entry]:
    return [Entry(**dict(row)) for row in await conn.fetch(ENTRIES_OF, participant_id)]


async def remove(conn: Executor, participant_id: UUID, entry_id: UUID) -> bool:
    return str(await conn.execute(DELETE_ENTRY, participant_id, entry_id)) != "DELETE 0"


async def keys(conn: Executor, participant_ids: Sequence[UUID]) -> dict[str, ParticipantId]:
    """Every listed address key of these participants, to the participant who listed it."""
    rows = await conn.fetch(KEYS_OF, list(participant_ids))
    return {row["address_key"]: ParticipantId(row["participant_id"]) for row in rows}
