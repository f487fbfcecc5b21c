"""How a JetStream consumer settles a message it could not handle: later, or never.

A transient failure is retried with ``nak(delay=retry_delay(…))``. Giving up publishes the
message to the dead-letter stream with the reason, then ``term``s it. The server's
max-deliveries advisory is not stored, so each consumer counts deliveries itself; the
original subject and headers travel with the message, so ``tandem dlq retry`` can put it
back where it came from.
"""

from nats.aio.msg import Msg
from nats.js import JetStreamContext

from contracts.subjects import DLQ_HEADER_REASON, dead_letter_subject


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
