"""The relay's own database connection: it holds the relay lock and hears the outbox NOTIFY.

Dedicated, never taken from a pool and never behind a transaction-pooling proxy: the lock is
session-level, so it must live exactly as long as this one server session (see
``planner.relay.loop`` for the invariant it guards). asyncpg's errors become ``EventStoreError``.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import asyncpg

from planner.store.event_store import OUTBOX_CHANNEL, EventStoreError

# One fixed key that every relay of every planner process tries: "tandem" in ASCII, then 1.
RELAY_LOCK_KEY = 0x74616E64656D0001
TRY_RELAY_LOCK = "SELECT pg_try_advisory_lock($1)"

CONNECT_TIMEOUT_SECONDS = 5.0
CLOSE_TIMEOUT_SECONDS = 2.0

RelayConnection = asyncpg.Connection


async def connect(database_url: str, on_wake: Callable[[], None]) -> RelayConnection:
    """A new session LISTENing on the outbox channel.

    ``on_wake`` runs on every NOTIFY, and also when the connection is lost, so a waiting
    relay notices at once instead of at its next safety-net timeout.
    """

    def notified(*_args: object) -> None:
        on_wake()

    with _translated():
        conn: RelayConnection = await asyncpg.connect(database_url, timeout=CONNECT_TIMEOUT_SECONDS)
        try:
            conn.add_termination_listener(notified)
            await conn.add_listener(OUTBOX_CHANNEL, notified)
        except BaseException:
            conn.terminate()
            raise
    return conn


async def try_relay_lock(conn: RelayConnection) -> bool:
    """Take the relay lock for this session if no other session holds it; never waits."""
    with _translated():
        return bool(await conn.fetchval(TRY_RELAY_LOCK, RELAY_LOCK_KEY))


async def close(conn: RelayConnection) -> None:
    """End the session (releasing the lock); a connection already lost is left as it is."""
    if conn.is_closed():
        return
    try:
        await conn.close(timeout=CLOSE_TIMEOUT_SECONDS)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
        conn.terminate()


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        raise EventStoreError(type(error).__name__) from error
