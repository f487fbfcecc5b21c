"""Plan events handled as they arrive: each plan's in stream order, plans side by side.

The consumer used to fetch a batch, handle it plan by plan side by side, and fetch again
only once the whole batch was done, so a new activation waited for the slowest plan of the
batch before it. Here every message starts as soon as it is fetched, behind the message
before it of the same plan only, and the consumer fetches again while there is room.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import structlog

log = structlog.stdlib.get_logger("notifier.consumer")
PLAN_ID_PART = 2  # of a subject tandem.plan.<plan id>.<event>

Handle = Callable[[Any], Awaitable[None]]  # handles and settles one message; never raises


def plan_of(message: Any) -> str:
    """The plan a message is about (``tandem.plan.<plan id>.<event>``), else its subject."""
    subject = str(message.subject)
    parts = subject.split(".")
    return parts[PLAN_ID_PART] if len(parts) > PLAN_ID_PART + 1 else subject


class PlanPipeline:
    """At most ``limit`` messages in hand at once; each plan's one at a time, in order."""

    def __init__(self, handle: Handle, limit: int) -> None:
        self._handle = handle
        self._limit = limit
        self._last_of_plan: dict[str, asyncio.Task[None]] = {}
        self._in_hand: set[asyncio.Task[None]] = set()
        self._room = asyncio.Event()
        self._room.set()

    @property
    def room(self) -> int:
        """How many more messages it takes now."""
        return self._limit - len(self._in_hand)

    async def wait_for_room(self) -> None:
        while self.room <= 0:
            self._room.clear()
            await self._room.wait()

    def add(self, message: Any) -> None:
        plan = plan_of(message)
        before = self._last_of_plan.get(plan)
        task = asyncio.create_task(self._after(before, message))
        self._last_of_plan[plan] = task
        self._in_hand.add(task)
        task.add_done_callback(lambda done: self._done(plan, done))

    async def drain(self) -> None:
        """Wait until every message in hand is handled."""
        while self._in_hand:
            await asyncio.wait(set(self._in_hand))

    async def _after(self, before: asyncio.Task[None] | None, message: Any) -> None:
        if before is not None:
            await asyncio.wait({before})  # its plan's previous event first, however it ended
        await self._handle(message)

    def _done(self, plan: str, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            # A bug: the message stays unsettled, comes back after its ack wait and is
            # dead-lettered once delivered too often. Say so now.
            log.error("consumer.handling_crashed", exc_info=task.exception())
        self._in_hand.discard(task)
        if self._last_of_plan.get(plan) is task:
            del self._last_of_plan[plan]
        self._room.set()
