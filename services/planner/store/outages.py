"""Which errors mean a server cannot be reached now, rather than a fault in a request.

The API answers them with 503 and ``Retry-After`` (api/problems.py) instead of a 500: the
request was fine, and the same request will work once the server is back. The store's
adapters wrap asyncpg's errors in their own (``EventStoreError``) with the driver's error
as the cause, so the whole chain of causes is looked at.
"""

import asyncpg
import nats.errors

# OSError covers a refused or reset connection, a missing Unix socket, and TimeoutError
# (asyncio's too): an asyncpg connect or pool acquisition that timed out.
OUTAGES: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08, and a connection lost mid-query
    asyncpg.CannotConnectNowError,  # 57P03: starting up, shutting down, in recovery
    asyncpg.exceptions.AdminShutdownError,  # 57P01: stopped (fast or smart shutdown)
    asyncpg.exceptions.CrashShutdownError,  # 57P02: another backend crashed
    asyncpg.TooManyConnectionsError,  # 53300: full for now
    nats.errors.ConnectionClosedError,
    nats.errors.NoServersError,
    nats.errors.StaleConnectionError,
    nats.errors.ConnectionReconnectingError,
    nats.errors.NoRespondersError,  # JetStream not (yet) answering
)

# asyncpg's own word for a connection that the server dropped before it was used again:
# an InterfaceError, a class that otherwise means a bug in the caller.
LOST = "connection is closed"

MAX_CHAIN = 16  # causes followed; a chain is short, a cycle is cut by the seen set


def outage_in(error: BaseException) -> BaseException | None:
    """The error in ``error``'s chain of causes that says a server is unreachable, if any."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen and len(seen) < MAX_CHAIN:
        seen.add(id(current))
        if isinstance(current, OUTAGES):
            return current
        if isinstance(current, asyncpg.InterfaceError) and LOST in str(current):
            return current
        current = current.__cause__ or current.__context__
    return None


def is_outage(error: BaseException) -> bool:
    """Whether ``error``, or any error it was raised from, says a server is unreachable."""
    return outage_in(error) is not None
