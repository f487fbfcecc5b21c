"""How the notifier's database sessions are named, and what a lost session raises.

Each loop catches ``DATABASE_ERRORS`` and tries again later (the ledger keeps the work),
so a failover or a killed session never stops the notifier.
"""

import asyncpg

# Names the notifier's sessions in pg_stat_activity, for operators (and tests).
SESSION_SETTINGS = {"application_name": "tandem-notifier"}

DATABASE_ERRORS = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    # Raised by asyncpg when a pooled session dies in the middle of an operation.
    asyncpg.InternalClientError,
    OSError,
    TimeoutError,
)


async def nothing_to_reset(conn: asyncpg.Connection) -> None:
    """The pool's ``reset``: skip asyncpg's reset round trip on every release.

    The notifier's pooled sessions take no session advisory lock, LISTEN (the worker's
    listener is a session of its own) or SET; asyncpg still rolls back a transaction left
    open before calling this.
    """
