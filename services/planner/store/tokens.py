"""Participants' bearer tokens: one per device, kept as SHA-256 hashes, expiring, revocable.

A token expires after a lifetime (TANDEM_TOKEN_DAYS) without use: each use moves its
expiry on, so a partner who opens Tandem now and then is never signed out in the middle
of a hard moment, while a token on a lost phone stops working by itself. Revoking
deletes the row, so the next request with that token is refused.
"""

from datetime import datetime, timedelta
from uuid import UUID

import msgspec

from contracts.ids import ParticipantId
from planner.store.accounts import Participant, token_hash
from planner.store.event_store import Executor

# Expiry moves on at most once per this long per token: most requests only read.
TOUCH_EVERY = timedelta(hours=1)

REGISTER = """
WITH participant AS (
    INSERT INTO participants (participant_id, display_name) VALUES ($1, $2)
)
INSERT INTO participant_tokens (token_id, participant_id, token_sha256, expires_at)
VALUES ($3, $1, $4, now() + $5::interval)
RETURNING expires_at
"""
ISSUE = """
INSERT INTO participant_tokens (token_id, participant_id, token_sha256, expires_at)
VALUES ($1, $2, $3, now() + $4::interval)
RETURNING expires_at
"""
# The holder of a live token, and its expiry moved on when it was last moved long ago,
# in one round trip (the UPDATE sees the row as the SELECT found it).
HOLDER = """
WITH found AS (
    SELECT t.token_id, t.participant_id, p.display_name, t.last_used_at
    FROM participant_tokens AS t JOIN participants AS p USING (participant_id)
    WHERE t.token_sha256 = $1 AND t.expires_at > now()
), touched AS (
    UPDATE participant_tokens SET last_used_at = now(), expires_at = now() + $2::interval
    WHERE token_id = (SELECT token_id FROM found WHERE last_used_at < now() - $3::interval)
)
SELECT token_id, participant_id, display_name FROM found
"""
LIST = """
SELECT token_id, created_at, last_used_at, expires_at FROM participant_tokens
WHERE participant_id = $1 AND expires_at > now() ORDER BY created_at, token_id
"""
REVOKE_ONE = """
DELETE FROM participant_tokens WHERE participant_id = $1 AND token_id = $2
"""
REVOKE_OTHERS = """
DELETE FROM participant_tokens WHERE participant_id = $1 AND token_id <> $2
"""


class Holder(msgspec.Struct, frozen=True, kw_only=True):
    token_id: UUID
    participant: Participant


class TokenInfo(msgspec.Struct, frozen=True, kw_only=True):
    """What a participant may know of a token: never the token itself."""

    token_id: UUID
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime


async def register(
    conn: Executor,
    participant_id: UUID,
    display_name: str,
    *,
    token_id: UUID,
    token: str,
    lifetime: timedelta,
) -> datetime:
    """A new participant with their first token (one statement); the token's expiry."""
    args = (participant_id, display_name, token_id, token_hash(token), lifetime)
    expires_at: datetime = await conn.fetchval(REGISTER, *args)
    return expires_at


async def issue(
    conn: Executor, participant_id: UUID, *, token_id: UUID, token: str, lifetime: timedelta
) -> datetime:
    """Another token for the participant (another device); its expiry."""
    args = (token_id, participant_id, token_hash(token), lifetime)
    expires_at: datetime = await conn.fetchval(ISSUE, *args)
    return expires_at


async def holder(conn: Executor, token: str, lifetime: timedelta) -> Holder | None:
    """Who holds ``token``, if it is known, unexpired and unrevoked."""
    row = await conn.fetchrow(HOLDER, token_hash(token), lifetime, TOUCH_EVERY)
    if row is None:
        return None
    participant = Participant(
        participant_id=ParticipantId(row["participant_id"]), display_name=row["display_name"]
    )
    return Holder(token_id=row["token_id"], participant=participant)


async def listed(conn: Executor, participant_id: UUID) -> list[TokenInfo]:
    return [TokenInfo(**dict(row)) for row in await conn.fetch(LIST, participant_id)]


async def revoke(conn: Executor, participant_id: UUID, token_id: UUID) -> bool:
    """Revoke one of the participant's tokens; False when they hold no such token."""
    return bool(await conn.execute(REVOKE_ONE, participant_id, token_id) == "DELETE 1")


async def revoke_others(conn: Executor, participant_id: UUID, keep: UUID) -> int:
    """Revoke every token of the participant but ``keep``; how many were revoked."""
    status: str = await conn.execute(REVOKE_OTHERS, participant_id, keep)
    return int(status.rsplit(" ", 1)[1])
