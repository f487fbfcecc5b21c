"""Participants and operators: who may call the API. Tokens are kept as SHA-256 hashes.

Participants' tokens (several per participant, expiring) are in planner.store.tokens.

Tokens are 256-bit random strings, so a fast hash is enough: there is nothing to brute-force.
"""

import hashlib
from collections.abc import Sequence
from uuid import UUID

import msgspec

from contracts.ids import ParticipantId
from contracts.vocabulary import Channel
from planner.store.event_store import Executor

SET_CHANNELS = """
UPDATE participants SET channels = $2::jsonb WHERE participant_id = $1
"""
# The plan's partners (its membership read model) with their channels, in one round trip.
PARTNER_CHANNELS = """
SELECT p.participant_id, p.channels::text AS channels
FROM plan_members AS m JOIN participants AS p USING (participant_id)
WHERE m.plan_id = $1 ORDER BY m.joined_at
"""
CHANNELS_OF = """
SELECT channels::text FROM participants WHERE participant_id = $1
"""
INSERT_OPERATOR = """
INSERT INTO operator_tokens (operator_id, label, token_sha256) VALUES ($1, $2, $3)
"""
OPERATOR_BY_HASH = """
SELECT operator_id, label FROM operator_tokens WHERE token_sha256 = $1
"""


class Participant(msgspec.Struct, frozen=True, kw_only=True):
    participant_id: ParticipantId
    display_name: str


class Operator(msgspec.Struct, frozen=True, kw_only=True):
    operator_id: UUID
    label: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def add_operator(conn: Executor, operator_id: UUID, label: str, token: str) -> None:
    await conn.execute(INSERT_OPERATOR, operator_id, label, token_hash(token))


async def operator_by_token(conn: Executor, token: str) -> Operator | None:
    row = await conn.fetchrow(OPERATOR_BY_HASH, token_hash(token))
    return None if row is None else Operator(**dict(row))


_channels = msgspec.json.Decoder(tuple[Channel, ...])


async def set_channels(conn: Executor, participant_id: UUID, channels: Sequence[Channel]) -> None:
    await conn.execute(SET_CHANNELS, participant_id, msgspec.json.encode(channels).decode())


async def partner_channels(
    conn: Executor, plan_id: UUID
) -> dict[ParticipantId, tuple[Channel, ...]]:
    """Each partner of the plan, with the channels they set; empty for an unknown plan."""
    rows = await conn.fetch(PARTNER_CHANNELS, plan_id)
    return {ParticipantId(row["participant_id"]): _channels.decode(row["channels"]) for row in rows}


async def channels_of(conn: Executor, participant_id: UUID) -> tuple[Channel, ...] | None:
    """The participant's channels; None for an unknown participant."""
    text: str | None = await conn.fetchval(CHANNELS_OF, participant_id)
    return None if text is None else _channels.decode(text)
