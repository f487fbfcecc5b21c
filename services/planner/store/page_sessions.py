"""Browser sessions, kept as SHA-256 hashes of their ids (the cookie holds the id), and the
one-time sign-in links already taken (as hashes too)."""

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
# The first to take a link wins; a second take finds the row and gets nothing back.
TAKE_LINK = """
INSERT INTO used_sign_in_links (token_sha256, participant_id) VALUES ($1, $2)
ON CONFLICT (token_sha256) DO NOTHING RETURNING participant_id
"""
LINK_USED = "SELECT EXISTS (SELECT 1 FROM used_sign_in_links WHERE token_sha256 = $1)"
# A link asked for this participant on this plan within the last $3 seconds.
RECENT_LINK = """
SELECT EXISTS (
    SELECT 1 FROM events
    WHERE stream_id = $1 AND event_type = 'plan.sign_in_link_requested'
    AND payload->>'participant_id' = $2::text
    AND recorded_at > now() - make_interval(secs => $3)
)
"""
# Whoever registered this address as one of their channels.
BY_ADDRESS = """
SELECT participant_id, display_name, channels::text AS channels FROM participants
WHERE channels @> jsonb_build_array(jsonb_build_object('address', $1::text))
ORDER BY created_at LIMIT 1
"""


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


async def take_sign_in_link(conn: Executor, token: str, participant_id: UUID) -> bool:
    """Mark the link used; False when it was used before (a link signs in once)."""
    taken: UUID | None = await conn.fetchval(TAKE_LINK, _sha256(token), participant_id)
    return taken is not None


async def sign_in_link_used(conn: Executor, token: str) -> bool:
    used: bool = await conn.fetchval(LINK_USED, _sha256(token))
    return used


async def participant_by_address(conn: Executor, address: str) -> Participant | None:
    """The participant with ``address`` among their channels, if any."""
    row = await conn.fetchrow(BY_ADDRESS, address)
    if row is None:
        return None
    return Participant(
        participant_id=ParticipantId(row["participant_id"]), display_name=row["display_name"]
    )


async def link_sent_lately(
    conn: Executor, plan_id: UUID, participant_id: UUID, seconds: float
) -> bool:
    """Whether a sign-in link went to the participant lately: one a minute is plenty, and
    nobody can flood a person's phone by asking for theirs over and over."""
    sent: bool = await conn.fetchval(RECENT_LINK, plan_id, str(participant_id), seconds)
    return sent
