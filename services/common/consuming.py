"""A durable JetStream pull consumer, as both services run one: pull, open, settle.

Pulling: each fetch is a long poll; the server answers as soon as a message arrives, or
the fetch times out with nothing. nats-py ends an empty poll in its own
``nats.errors.TimeoutError``, or in a bare ``TimeoutError`` when its deadline runs out
between its two pull requests; both only mean "nothing yet". Any other NATS or socket
error (a lost connection, a server restarting), or any other exception of the fetch or
of handling a batch, is logged by its type and tried again after a back-off (a
``waiting.Guard``): only ``stop`` ends the loop, so a consumer never dies of a fetch.

Settling: a transient failure is retried with ``nak(delay=retry_delay(…))``. Giving up
publishes the message to the dead-letter stream with the reason, then ``term``s it. The
server's max-deliveries advisory is not stored, so each consumer counts deliveries itself
(``opened``, which also gives up on what cannot be decoded); the original subject and
headers travel with the message, so ``tandem dlq retry`` can put it back where it came from.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

import msgspec
import nats.errors
from nats.aio.msg import Msg
from nats.js import JetStreamContext

from common.waiting import Guard, unless_stopped, wait_any
from contracts.subjects import DLQ_HEADER_REASON, dead_letter_subject

T = TypeVar("T")

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
    guard: Guard,
) -> None:
    """Fetch up to ``batch`` messages and ``handle`` them, until ``stop``.

    Each batch is handled before the next fetch. A failed fetch, or a batch whose handling
    raised, goes to ``guard`` (logged, backed off); messages left unsettled by a failed
    batch come again after the consumer's ack wait.
    """
    while not stop.is_set():
        try:
            fetching = subscription.fetch(batch, timeout=FETCH_WAIT_SECONDS)
            messages = await unless_stopped(fetching, stop) or []
        except TimeoutError:  # before OSError, its base; nats' own TimeoutError is one too
            guard.succeeded()  # nothing yet is no failure: a loop that failed before is fine
            continue
        except Exception as exc:  # noqa: BLE001 - FETCH_ERRORS, or a client bug: never the end
            await wait_any([stop], guard.failed(exc))
            continue
        try:
            if messages:
                await handle(messages)
        except Exception as exc:  # noqa: BLE001 - a bug in handling: the messages come again
            await wait_any([stop], guard.failed(exc))
            continue
        guard.succeeded()


async def opened(
    msg: Msg,
    decode: Callable[[bytes], T],
    *,
    limit: int,
    what: str,
    give_up: Callable[[Msg, str], Awaitable[None]],
) -> T | None:
    """``msg`` decoded; None when it was given up on: delivered too often, or undecodable.

    ``give_up(msg, reason)`` dead-letters it; ``what`` names the content in the reason.
    """
    if reason := too_often(msg.metadata.num_delivered, limit):
        await give_up(msg, reason)
        return None
    try:
        return decode(msg.data)
    except msgspec.DecodeError as exc:
        await give_up(msg, f"undecodable {what}: {exc}")
        return None


def retry_delay(delivered: int) -> float:
    """Back-off for a transient failure: 0.5 s, 1 s, 2 s … capped at 30 s."""
    return float(min(30.0, 0.5 * 2 ** max(0, delivered - 1)))


def too_often(delivered: int, limit: int) -> str | None:
    """The reason to give up on a message delivered ``delivered`` times, if over ``limit``."""
    return f"delivered {delivered} times without success" if delivered > limit else None


async def dead_letter(js: JetStreamContext, msg: Msg, reason: str) -> None:
    """Publish ``msg`` to ``tandem.dlq.…`` with ``reason``, then ``term`` it for good."""
    headers = dict(msg.headers or {})
    headers[DLQ_HEADER_REASON] = reason
    await js.publish(dead_letter_subject(msg.subject), msg.data, headers=headers)
    await msg.term()
