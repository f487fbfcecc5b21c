"""Waiting on events with a stop signal: the notifier's loops never sleep past ``stop``."""

import asyncio
import contextlib
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


async def wait(
    stop: asyncio.Event, seconds: float | None, wake: asyncio.Event | None = None
) -> None:
    """Until ``stop`` (or ``wake``) is set, or ``seconds`` pass (None: no limit)."""
    waiters = [asyncio.ensure_future(stop.wait())]
    if wake is not None:
        waiters.append(asyncio.ensure_future(wake.wait()))
    with contextlib.suppress(TimeoutError):
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    for waiter in waiters:
        waiter.cancel()


async def unless_stopped(work: Awaitable[T], stop: asyncio.Event) -> T | None:
    """What ``work`` returns (or raises), or None when ``stop`` is set first (it is dropped)."""
    task = asyncio.ensure_future(work)
    stopped = asyncio.ensure_future(stop.wait())
    await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    if not task.done():
        task.cancel()
        await asyncio.wait({task})  # unlike awaiting it, never swallows our own cancellation
        return None
    return task.result()
