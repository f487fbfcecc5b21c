"""Browser sessions, kept as SHA-256 hashes of their ids (the cookie holds the id)."""

import hashlib
import secrets
from datetime import datetime, timedelta
from uuid import UUID

from contracts.ids import ParticipantId
from planner.store.accounts import Participant
from planner.store.event_store import Executor

SESSION_LIFETIME = timedelta(days=30)

INSERT_SESSION = """
INSERT INTO page_sessions (session_sha256, participant_id, expires_at) VALUES ($1, $2, $3)
"""
SESSION_PARTICIPANT = """
SELECT p.participant_id, p.display_name
FROM page_sessions AS s JOIN participants AS p USING (participant_id)
WHERE s.session_sha256 = $1 AND s.expires_at > $2
"""
DELETE_SESSION = "DELETE FROM page_sessions WHERE session_sha256 = $1"


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def open_session(conn: Executor, participant_id: UUID, now: datetime) -> str:
    """A new session for the participant; the returned id goes in the cookie only."""
    session_id = secrets.token_urlsafe(32)
    await conn.execute(INSERT_SESSION, _sha256(session_id), participant_id, now + SESSION_LIFETIME)
    return session_id


async def participant_of(conn: Executor, session_id: str, now: datetime) -> Participant | None:
    row = await conn.fetchrow(SESSION_PARTICIPANT, _sha256(session_id), now)
    if row is None:
        return None
    return Participant(
        participant_id=ParticipantId(row["participant_id"]), display_name=row["display_name"]
    )


async def close_session(conn: Executor, session_id: str) -> None:
    await conn.execute(DELETE_SESSION, _sha256(session_id))
