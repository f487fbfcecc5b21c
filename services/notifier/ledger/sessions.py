"""The ledger's database sessions: what they are, what they are called, what a lost one raises.

Each loop catches ``DATABASE_ERRORS`` and tries again later (the ledger keeps the work),
so a failover or a killed session never stops the notifier. Writes that give a loop work
NOTIFY ``WORK_CHANNEL`` in their own statement, with a payload that names the loop.
"""

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from notifier.ledger import migrations

Connection = asyncpg.Connection | PoolConnectionProxy
Executor = Connection | asyncpg.Pool

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

WORK_CHANNEL = "notifier_work"  # NOTIFY on new claims, finished sends and timers
# Each NOTIFY says which of the worker's loops it is for (see notifier.loops.worker).
WAKE_SEND = "send"  # new claims to send
WAKE_REPORT = "report"  # a finished send to report
WAKE_TIMER = "timer"  # a new or hurried timer


async def open_pool(dsn: str, connect_timeout: float) -> asyncpg.Pool:
    """A pool whose database holds the notifier's current schema."""
    pool = await asyncpg.create_pool(  # a failed start leaves no session behind
        dsn,
        min_size=2,
        max_size=10,
        timeout=connect_timeout,
        server_settings=SESSION_SETTINGS,
        reset=nothing_to_reset,
    )
    try:
        async with pool.acquire() as conn:
            await migrations.migrate(conn)
    except BaseException:
        pool.terminate()
        raise
    return pool


async def nothing_to_reset(conn: asyncpg.Connection) -> None:
    """The pool's ``reset``: skip asyncpg's reset round trip on every release.

    The notifier's pooled sessions take no session advisory lock, LISTEN (the worker's
    listener is a session of its own) or SET; asyncpg still rolls back a transaction left
    open before calling this.
    """
