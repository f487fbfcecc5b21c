"""Waking the relay after a commit, so the committing transaction need not NOTIFY.

PostgreSQL serialises the commits of transactions that NOTIFY: each holds the notification
queue's lock through its commit's WAL flush, so concurrent appends that each notify commit
one at a time (a NOTIFY in every append costs about a third of append throughput with 16
writers; see bench/append.py). A NOTIFY sent after the commit, in a transaction of its
own, writes no WAL and holds that lock only briefly.

The NOTIFYs are coalesced: while one is on its way, later commits ask for one more, sent
when it is done. So every commit is followed by a NOTIFY sent after it, and a burst of
commits costs about two. A process that stops between a commit and its NOTIFY leaves the
event to the next NOTIFY or the relay's safety net (``loop.SAFETY_NET_SECONDS``).

When the active relay runs in this very process (``tandem dev``, or any planner whose relay
holds the lock), it is woken directly and no NOTIFY is sent: no other relay publishes
while it holds the lock, so none needs waking. That saves a round trip through PostgreSQL
on the way from a commit to an alert.
"""

import asyncio
from collections.abc import Callable

import asyncpg
import structlog

from planner.store.event_store import NOTIFY, OUTBOX_CHANNEL

log = structlog.stdlib.get_logger(__name__)

NOTIFY_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError)


class OutboxWaker:
    """Sends the outbox NOTIFY over ``pool``, coalescing requests that overlap."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._sending: asyncio.Task[None] | None = None
        self._again = False
        self.sent = 0  # NOTIFYs sent, for tests and curiosity
        self.wake_local: Callable[[], bool] | None = None
        """Wakes this process's relay and says True, if it is the active one."""

    def wake(self) -> None:
        """Wake the relay: this process's active one directly, else by a NOTIFY sent after
        now. Returns at once."""
        if self.wake_local is not None and self.wake_local():
            return
        if self._sending is not None and not self._sending.done():
            self._again = True
            return
        self._sending = asyncio.get_running_loop().create_task(self._send())

    async def settled(self) -> None:
        """Wait until every NOTIFY asked for so far is sent (or has failed)."""
        if self._sending is not None:
            await asyncio.shield(self._sending)

    async def _send(self) -> None:
        while True:
            self._again = False
            try:
                await self.pool.execute(NOTIFY, OUTBOX_CHANNEL, "")
            except NOTIFY_ERRORS as error:
                # The events are committed: the relay finds them at its next NOTIFY or
                # safety-net look at the outbox, only later.
                log.warning("outbox.wake_failed", error=type(error).__name__)
                return
            self.sent += 1
            if not self._again:
                return


# By pool identity (asyncpg's Pool takes no weak references); closed pools are dropped.
_wakers: dict[int, OutboxWaker] = {}


def waker(pool: asyncpg.Pool) -> OutboxWaker:
    """The one waker of ``pool``, so every command on a pool shares its coalescing."""
    found = _wakers.get(id(pool))
    if found is None or found.pool is not pool:
        for key in [key for key, other in _wakers.items() if other.pool.is_closing()]:
            del _wakers[key]
        found = _wakers[id(pool)] = OutboxWaker(pool)
    return found


def wake_locally(pool: asyncpg.Pool, wake_local: Callable[[], bool]) -> None:
    """Let commits on ``pool`` wake the relay in this process directly while it is active."""
    waker(pool).wake_local = wake_local


def after_commit(pool: asyncpg.Pool) -> None:
    """Wake the relay for events ``pool`` committed with ``append(..., notify=False)``."""
    waker(pool).wake()


async def settled(pool: asyncpg.Pool) -> None:
    """Before closing ``pool``: wait for the NOTIFYs asked of it."""
    found = _wakers.get(id(pool))
    if found is not None and found.pool is pool:
        await found.settled()
