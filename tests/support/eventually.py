"""Poll until something becomes true, instead of sleeping and hoping.

``check`` may be a plain function or a coroutine function. It has passed when it returns
without raising ``AssertionError`` and does not return ``False``, so both styles work::

    await eventually(lambda: len(received) == 2)        # a predicate
    async def delivered() -> None:
        assert await inbox.count() == 2                   # assertions
    await eventually(delivered)

The check's own result is returned. On timeout the last ``AssertionError`` is raised (or
one saying the predicate stayed false), so the failure reads like a plain assert.
"""

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    check: Callable[[], Awaitable[T] | T],
    timeout: float = 5.0,  # noqa: ASYNC109 - a polling deadline, not a cancellation timeout
    interval: float = 0.02,
) -> T:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            result = check()
            if inspect.isawaitable(result):
                result = await result
            if result is not False:
                return result  # type: ignore[return-value]
            failure = AssertionError(f"still false after {timeout}s: {check!r}")
        except AssertionError as error:
            failure = error
        if loop.time() >= deadline:
            raise failure
        await asyncio.sleep(interval)
