"""Pulling batches from a durable JetStream consumer until the process is told to stop.

Each fetch is a long poll: the server answers as soon as a message arrives, or the fetch
times out with nothing. nats-py ends an empty poll in its own ``nats.errors.TimeoutError``,
or in a bare ``TimeoutError`` when its deadline runs out between its two pull requests;
both only mean "nothing yet". Any other NATS or socket error (a lost connection, a server
that is restarting) is logged by its type and the fetch is tried again after a back-off:
only ``stop`` ends the loop, so a consumer never dies of a fetch.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Protocol

import nats.errors
import structlog
from nats.aio.msg import Msg

from common.waiting import Backoff, unless_stopped, wait_any

FETCH_WAIT_SECONDS = 5.0
FETCH_ERRORS = (nats.errors.Error, OSError)


class Subscription(Protocol):
    """What the loop needs of nats-py's ``PullSubscription``."""

    async def fetch(
        self,
        batch: int = ...,
        timeout: float | None = ...,  # noqa: ASYNC109 - nats-py's signature, not ours
    ) -> list[Msg]: ...


async def pull(
    subscription: Subscription,
    handle: Callable[[list[Msg]], Awaitable[None]],
    stop: asyncio.Event,
    *,
    batch: int,
    log: structlog.stdlib.BoundLogger,
    failed: str,
) -> None:
    """Fetch up to ``batch`` messages and ``handle`` them, until ``stop``.

    Each batch is handled before the next fetch. A failed fetch is logged as ``failed``.
    """
    backoff = Backoff()
    while not stop.is_set():
        try:
            fetching = subscription.fetch(batch, timeout=FETCH_WAIT_SECONDS)
            messages = await unless_stopped(fetching, stop) or []
        except TimeoutError:  # before OSError, its base; nats' own TimeoutError is one too
            continue
        except FETCH_ERRORS as exc:
            log.warning(failed, error=type(exc).__name__)
            await wait_any([stop], backoff.next())
            continue
        backoff.reset()
        if messages:
            await handle(messages)
