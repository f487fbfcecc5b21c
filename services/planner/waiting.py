"""Waiting without sleep-polling: back-off delays, and waits that end early on an event."""

import asyncio
import random
from collections.abc import Coroutine, Sequence
from typing import Any

BACKOFF_FIRST_SECONDS = 0.1
BACKOFF_MAX_SECONDS = 5.0


class Backoff:
    """Exponential delays with jitter, from ``first`` up to ``ceiling`` seconds."""

    def __init__(self, first: float = BACKOFF_FIRST_SECONDS, ceiling: float = BACKOFF_MAX_SECONDS):
        self._first = first
        self._ceiling = ceiling
        self._next = first

    def next(self) -> float:
        delay, self._next = self._next, min(self._next * 2, self._ceiling)
        # Jitter keeps several relays from retrying in lockstep; not a security matter.
        return delay * random.uniform(0.5, 1.0)  # noqa: S311

    def reset(self) -> None:
        self._next = self._first


async def wait_any(
    events: Sequence[asyncio.Event],
    timeout: float,  # noqa: ASYNC109 - a deadline for the wait itself, not a cancel scope
) -> bool:
    """Wait until one of ``events`` is set or ``timeout`` passes; True if one was set."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        done, _ = await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
        await asyncio.gather(*waiters, return_exceptions=True)
    return bool(done)


async def unless_stopped(work: Coroutine[Any, Any, None], stop: asyncio.Event) -> bool:
    """Run ``work`` until it ends or ``stop`` is set (then cancel it); True if it ended."""
    task = asyncio.ensure_future(work)
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait([task, stopper], return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
        if not task.done():
            task.cancel()
        await asyncio.gather(task, stopper, return_exceptions=True)
    if task.cancelled():
        return False
    task.result()  # re-raises what ``work`` raised
    return True
