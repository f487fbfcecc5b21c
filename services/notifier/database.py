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
