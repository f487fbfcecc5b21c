"""The planner's connection pool, whose connections go back without a reset round trip.

asyncpg resets a released connection by default with ``SELECT pg_advisory_unlock_all();
CLOSE ALL; UNLISTEN *; RESET ALL``: one more round trip per checkout, about a quarter of
the round trips of an activation. The planner's pooled connections never take a session
advisory lock, keep a cursor open outside a transaction, LISTEN or SET a session setting
(the relay and the operator commands use connections of their own), so there is nothing to
reset. asyncpg still rolls back a transaction left open on release (a cancelled request)
before calling ``reset``.
"""

import asyncpg

MIN_SIZE = 2
MAX_SIZE = 20
# asyncpg waits 60 s for a new connection by default; a request meeting a server that
# accepts and never answers should hear 503 (api/problems.py) long before its client quits.
CONNECT_TIMEOUT_SECONDS = 5.0


async def _nothing_to_reset(conn: asyncpg.Connection) -> None:
    """Nothing session-wide was changed: see the module's docstring."""


def create(database_url: str) -> asyncpg.Pool:
    """The pool (not yet opened: ``await`` it or use it as an async context manager)."""
    return asyncpg.create_pool(
        database_url,
        min_size=MIN_SIZE,
        max_size=MAX_SIZE,
        reset=_nothing_to_reset,
        timeout=CONNECT_TIMEOUT_SECONDS,
    )
