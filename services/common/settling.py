"""How a JetStream consumer settles a message it could not handle: later, or never.

A transient failure is retried with ``nak(delay=retry_delay(…))``. Giving up publishes the
message to the dead-letter stream with the reason, then ``term``s it. The server's
max-deliveries advisory is not stored, so each consumer counts deliveries itself (``opened``,
which also gives up on what cannot be decoded); the original subject and headers travel
with the message, so ``tandem dlq retry`` can put it back where it came from.
"""

from collections.abc import Awaitable, Callable
from typing import TypeVar

import msgspec
from nats.aio.msg import Msg
from nats.js import JetStreamContext

from contracts.subjects import DLQ_HEADER_REASON, dead_letter_subject

T = TypeVar("T")


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
