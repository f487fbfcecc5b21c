"""Reading the planner's event history from JetStream, for a replay.

An ordered consumer is ephemeral, unacknowledged and kept in memory by the server: it
reads the stream without touching the notifier's durable consumer, and nats-py restarts it
where it left off if a message goes missing on the way. The end is fixed when reading
starts, so events published during a replay are left to the live notifier.
"""

from collections.abc import AsyncIterator

import msgspec
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy

from contracts.envelope import Envelope
from contracts.subjects import PLAN_STREAM, PLAN_SUBJECTS

NEXT_MESSAGE_TIMEOUT_SECONDS = 10.0

_envelope = msgspec.json.Decoder(Envelope)


class HistoryError(RuntimeError):
    """The history could not be read to its end."""


class Span(msgspec.Struct, frozen=True, kw_only=True):
    first: int  # the first sequence to read (at or after the one asked for)
    last: int  # the stream's last sequence when the replay started; 0 when empty


class Stored(msgspec.Struct, frozen=True, kw_only=True):
    sequence: int
    envelope: Envelope | None  # None: the message does not decode (the live path dead-letters it)


async def span(js: JetStreamContext, from_sequence: int) -> Span:
    state = (await js.stream_info(PLAN_STREAM)).state
    return Span(first=max(from_sequence, state.first_seq), last=state.last_seq)


async def read(js: JetStreamContext, span: Span) -> AsyncIterator[Stored]:
    """Every message of TANDEM_PLAN from ``span.first`` to ``span.last``, in order."""
    if span.first > span.last:
        return
    config = ConsumerConfig(
        deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=span.first
    )
    subscription = await js.subscribe(
        PLAN_SUBJECTS, stream=PLAN_STREAM, ordered_consumer=True, config=config
    )
    try:
        while True:
            try:
                message = await subscription.next_msg(timeout=NEXT_MESSAGE_TIMEOUT_SECONDS)
            except TimeoutError:
                raise HistoryError(f"{PLAN_STREAM} stopped before sequence {span.last}") from None
            sequence = message.metadata.sequence.stream
            yield Stored(sequence=sequence, envelope=decode(message.data))
            if sequence >= span.last:
                return
    finally:
        await subscription.unsubscribe()


def decode(data: bytes) -> Envelope | None:
    try:
        return _envelope.decode(data)
    except msgspec.DecodeError:
        return None
