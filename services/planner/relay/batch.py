"""Publishing one batch of the outbox: plans side by side, each plan's events one at a time.

Awaiting every ack before sending the next event would cost one NATS round trip per event,
and under load the outbox would queue behind it (each activation brings delivery reports,
each an event of its own). So an event is sent without waiting for the acks of other
plans' events, but only once its own plan's previous event was acked. Therefore:

- each plan's events reach the stream in version order, whatever fails;
- events are sent in position order, and one connection's messages are stored in the
  order sent, so while nothing fails the stream holds them in position order;
- after a failure nothing more is sent. Events of other plans already on their way may be
  acked after the failed one; they are recorded as published, and the failed one goes out
  again in the next drain, after them (its own plan's later events wait for it).
"""

import asyncio
from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING

from contracts.envelope import Envelope

if TYPE_CHECKING:
    from uuid import UUID

Publish = Callable[[Envelope], Coroutine[None, None, bool]]  # True: JetStream had it already
Outcome = bool | BaseException  # the ack's duplicate flag, or why it was not acked


async def publish_batch(
    envelopes: Sequence[Envelope], publish: Publish, stopped: Callable[[], bool]
) -> list[tuple[Envelope, Outcome]]:
    """Publish ``envelopes`` (in position order) until one fails or ``stopped()``.

    Returns each envelope that was sent with its outcome, in position order.
    """
    sent: list[tuple[Envelope, asyncio.Task[bool]]] = []
    last_of_plan: dict[UUID, asyncio.Task[bool]] = {}
    try:
        for envelope in envelopes:
            previous = last_of_plan.get(envelope.stream_id)
            if previous is not None:
                await asyncio.wait({previous})
            if stopped() or any(_failed(task) for _, task in sent):
                break
            task = asyncio.create_task(publish(envelope))
            last_of_plan[envelope.stream_id] = task
            sent.append((envelope, task))
    finally:
        if sent:
            await asyncio.wait([task for _, task in sent])  # never leave a publish behind
    return [(envelope, _outcome(task)) for envelope, task in sent]


def _failed(task: asyncio.Task[bool]) -> bool:
    return task.done() and (task.cancelled() or task.exception() is not None)


def _outcome(task: asyncio.Task[bool]) -> Outcome:
    if task.cancelled():
        return asyncio.CancelledError()
    return task.exception() or task.result()
