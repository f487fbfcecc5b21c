"""A Litestar ``Store`` on PostgreSQL, so every planner process counts requests together.

Litestar's rate limiter keeps, per key, the times of the requests in the current window;
it reads and writes them through a ``Store``. The memory store counts per process (a
client spreading requests over several planners would get each one's limit), and Redis
is not one of our servers, so the counts live in the database every request needs anyway,
in the UNLOGGED table ``rate_limits`` (migration 0009). See docs/architecture.md.

Expiry is the database's clock: readers ignore expired rows, and every ``SWEEP_EVERY``-th
write in a process deletes a batch of them, so the table holds about one row per key
active in the last window.
"""

from datetime import timedelta

import asyncpg
from litestar.stores.base import Store

from planner.store.event_store import translated

SWEEP_EVERY = 500
SWEEP_BATCH = 1000

SET = """
INSERT INTO rate_limits (key, value, expires_at)
VALUES ($1, $2, now() + make_interval(secs => $3::float8))
ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
"""
# $3 NULL: no expiry (the Store API allows it, the rate limiter never asks for it).
GET = """
SELECT value FROM rate_limits
WHERE key = $1 AND (expires_at IS NULL OR expires_at > now())
"""
RENEW = """
UPDATE rate_limits SET expires_at = now() + make_interval(secs => $2::float8)
WHERE key = $1 AND expires_at > now()
RETURNING value
"""
DELETE = "DELETE FROM rate_limits WHERE key = $1"
DELETE_ALL = "DELETE FROM rate_limits"
EXPIRES_IN = """
SELECT ceil(extract(epoch FROM expires_at - now()))::int AS seconds FROM rate_limits
WHERE key = $1 AND (expires_at IS NULL OR expires_at > now())
"""
SWEEP = """
DELETE FROM rate_limits WHERE key IN (
    SELECT key FROM rate_limits WHERE expires_at <= now() LIMIT $1
)
"""


def _seconds(duration: int | timedelta | None) -> float | None:
    if duration is None:
        return None
    return duration.total_seconds() if isinstance(duration, timedelta) else float(duration)


class PostgresStore(Store):
    """Keys and values in ``rate_limits``; the pool is given once the app has one."""

    def __init__(self) -> None:
        self._pool: asyncpg.Pool | None = None
        self._writes = 0

    def use(self, pool: asyncpg.Pool) -> None:
        """The pool to work through (the app's, set in its lifespan)."""
        self._pool = pool

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the rate-limit store has no pool yet (the app is not started)")
        return self._pool

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        data = value.encode() if isinstance(value, str) else value
        with translated():
            await self.pool.execute(SET, key, data, _seconds(expires_in))
        self._writes += 1
        if self._writes % SWEEP_EVERY == 0:
            with translated():
                await self.pool.execute(SWEEP, SWEEP_BATCH)

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        renewal = _seconds(renew_for)
        with translated():
            if renewal is None:
                value = await self.pool.fetchval(GET, key)
            else:
                value = await self.pool.fetchval(RENEW, key, renewal)
                if value is None:  # a key without expiry is not renewed, only read
                    value = await self.pool.fetchval(GET, key)
        return None if value is None else bytes(value)

    async def delete(self, key: str) -> None:
        with translated():
            await self.pool.execute(DELETE, key)

    async def delete_all(self) -> None:
        with translated():
            await self.pool.execute(DELETE_ALL)

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        with translated():
            seconds: int | None = await self.pool.fetchval(EXPIRES_IN, key)
        return seconds
