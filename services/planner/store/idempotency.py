"""Stored responses for ``Idempotency-Key``, written in the command's own transaction."""

import asyncpg
import msgspec

from planner.store.event_store import Connection

FIND = """
SELECT request_sha256, status_code, body FROM idempotency_keys WHERE principal = $1 AND key = $2
"""
INSERT = """
INSERT INTO idempotency_keys (principal, key, request_sha256, status_code, body)
VALUES ($1, $2, $3, $4, $5)
"""


class IdempotencyRequest(msgspec.Struct, frozen=True, kw_only=True):
    principal: str
    key: str
    request_sha256: str


class StoredResponse(msgspec.Struct, frozen=True, kw_only=True):
    status_code: int
    body: bytes


class IdempotencyKeyReused(Exception):
    """The key was used before for a different request."""


class IdempotencyRace(Exception):
    """Another request with the same key committed first; the caller retries and finds it."""


async def find(conn: Connection, request: IdempotencyRequest) -> StoredResponse | None:
    row = await conn.fetchrow(FIND, request.principal, request.key)
    if row is None:
        return None
    if row["request_sha256"] != request.request_sha256:
        raise IdempotencyKeyReused(request.key)
    return StoredResponse(status_code=row["status_code"], body=bytes(row["body"]))


async def save(conn: Connection, request: IdempotencyRequest, response: StoredResponse) -> None:
    try:
        await conn.execute(
            INSERT,
            request.principal,
            request.key,
            request.request_sha256,
            response.status_code,
            response.body,
        )
    except asyncpg.UniqueViolationError as exc:
        raise IdempotencyRace(request.key) from exc
