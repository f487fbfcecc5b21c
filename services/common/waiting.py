"""Waiting without sleep-polling: back-off delays, and waits that end early on an event.

Every loop of both services waits through these, so none sleeps past its ``stop``.
"""

import asyncio
import random
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import PurePath
from typing import Any, TypeVar

import structlog

T = TypeVar("T")

STOP_TIMEOUT_SECONDS = 10.0
"""How long a background task may take to finish once told to stop, before it is cancelled."""
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
        # Jitter keeps several processes from retrying in lockstep; not a security matter.
        return delay * random.uniform(0.5, 1.0)  # noqa: S311

    def reset(self) -> None:
        self._next = self._first


class Faults:
    """The loops of a process that are failing right now, each with its error's type.

    Filled by each loop's ``Guard``, read by the readiness probe: a loop backing off says so.
    """

    def __init__(self) -> None:
        self.failing: dict[str, str] = {}


class Guard:
    """One loop's answer to a failure: log it, back off, go on.

    ``failed(exc)`` logs the error's type (never its message: a driver's message may quote
    a value, and values here are personal) and returns how long to wait before the loop
    tries again; ``succeeded()`` starts the back-off over. An error not among ``expected``
    is a bug, logged at error level with where it was raised, and the loop still goes on.
    """

    def __init__(
        self,
        loop: str,
        log: structlog.stdlib.BoundLogger,
        *,
        expected: tuple[type[BaseException], ...] = (),
        faults: Faults | None = None,
        event: str = "loop.failed",
    ) -> None:
        self.loop = loop
        self._log = log
        self._expected = expected
        self._faults = faults
        self._event = event
        self._backoff = Backoff()

    def failed(self, exc: BaseException) -> float:
        delay = self._backoff.next()
        error = type(exc).__name__
        fields = {"loop": self.loop, "error": error, "retry_in": round(delay, 3)}
        if isinstance(exc, self._expected):
            self._log.warning(self._event, **fields)
        else:
            self._log.error(self._event, **fields, at=raised_at(exc))
        if self._faults is not None:
            self._faults.failing[self.loop] = error
        return delay

    def succeeded(self) -> None:
        self._backoff.reset()
        if self._faults is not None:
            self._faults.failing.pop(self.loop, None)


def raised_at(exc: BaseException) -> str:
    """``file.py:line`` of the frame that raised ``exc``: enough to find the bug, no values."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "unknown"
    return f"{PurePath(frames[-1].filename).name}:{frames[-1].lineno}"


async def wait_any(
    events: Sequence[asyncio.Event | None],
    timeout: float | None,  # noqa: ASYNC109 - a deadline for the wait itself, not a cancel scope
) -> bool:
    """Until one of ``events`` is set or ``timeout`` passes (None: no limit); True if one was.

    ``None`` entries are skipped, so a caller with an optional wake-up passes it as it is.
    """
    waiters = [asyncio.ensure_future(event.wait()) for event in events if event is not None]
    try:
        done, _ = await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
        await asyncio.gather(*waiters, return_exceptions=True)
    return bool(done)


async def unless_stopped(work: Awaitable[T], stop: asyncio.Event) -> T | None:
    """What ``work`` returns (or raises), or None when ``stop`` is set first (it is cancelled)."""
    task = asyncio.ensure_future(work)
    stopped = asyncio.ensure_future(stop.wait())
    await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    if not task.done():
        task.cancel()
        await asyncio.wait({task})  # unlike awaiting it, never swallows our own cancellation
        return None
    return task.result()


async def stop_within(task: asyncio.Task[None], seconds: float = STOP_TIMEOUT_SECONDS) -> bool:
    """Wait for a task told to stop; cancel it when late. True if it finished in time."""
    try:
        await asyncio.wait_for(task, seconds)
    except TimeoutError:
        return False
    return True


@asynccontextmanager
async def in_background(
    work: Callable[[asyncio.Event], Coroutine[Any, Any, None]],
    *,
    name: str,
    log: structlog.stdlib.BoundLogger,
    late: str,
) -> AsyncIterator[asyncio.Task[None]]:
    """Run ``work(stop)`` as the task ``name`` for the duration of the block, then set
    ``stop`` and wait for it: a task still running after ``STOP_TIMEOUT_SECONDS`` is
    cancelled and logged as the event ``late``."""
    stop = asyncio.Event()
    task = asyncio.create_task(work(stop), name=name)
    try:
        yield task
    finally:
        stop.set()
        if not await stop_within(task):
            log.warning(late)


# Checks given up on by answers_within, kept until they have unwound (a task nobody
# references may be collected mid-flight).
_abandoned: set[asyncio.Future[Any]] = set()


def _forget(task: asyncio.Future[Any]) -> None:
    _abandoned.discard(task)
    if not task.cancelled():
        task.exception()  # retrieved: a late failure of a check given up on is no news


async def answers_within(
    budget: float, checks: Mapping[str, Awaitable[T]], late: T
) -> dict[str, T]:
    """Run ``checks`` at once; each answers, or ``late`` if it has not within ``budget`` s.

    For readiness probes, which must answer in time whatever a dependency does. Late
    checks are cancelled but not awaited: one stuck on a frozen server can take long to
    unwind (asyncpg also sends the cancellation to the server), and the caller must not
    wait for that. A check that raises raises here.
    """
    tasks = {name: asyncio.ensure_future(check) for name, check in checks.items()}
    if tasks:
        await asyncio.wait(tasks.values(), timeout=budget)
    answers: dict[str, T] = {}
    for name, task in tasks.items():
        if task.done():
            answers[name] = task.result()
            continue
        task.cancel()
        _abandoned.add(task)
        task.add_done_callback(_forget)
        answers[name] = late
    return answers
