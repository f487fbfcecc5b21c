"""Dead letters (stream TANDEM_DLQ) as an operator handles them: list them, retry one.

The notifier dead-letters a plan event it cannot decode, or one that failed past its
delivery bound, with the reason in a header (the planner does the same with a notifier
report it cannot record). A retry republishes the message to its original subject, where
its durable consumer takes it like any other message, then deletes the dead letter, so the
list shows only what still needs a decision.

A retry is published under a message id made from the dead letter itself (its stream
sequence and time), never the original event id: JetStream would drop a republished event
id as a duplicate within the stream's duplicate window. Being derived rather than random,
the id makes a second retry of the same dead letter (two operators at once, or a rerun
after a crash between publish and delete) a duplicate that JetStream stores once.
Handling an event again is safe in the notifier: its ledger claims each delivery once.
"""

from collections.abc import AsyncIterator
from datetime import datetime

import msgspec
from nats.js import JetStreamContext
from nats.js.api import RawStreamMsg
from nats.js.errors import APIError, NotFoundError

from contracts.subjects import (
    DLQ_HEADER_REASON,
    DLQ_HEADER_RETRIED_FROM,
    DLQ_STREAM,
    DLQ_SUBJECTS,
    HEADER_EVENT_ID,
    HEADER_EVENT_TYPE,
    HEADER_MSG_ID,
    original_subject,
)

NO_MESSAGE_FOUND = 10057  # JetStream's error code for deleting a message that is gone


class DeadLetter(msgspec.Struct, frozen=True, kw_only=True):
    id: int  # its sequence in TANDEM_DLQ: what `tandem dlq retry` takes
    at: datetime  # when it was dead-lettered
    subject: str  # the plan subject it was first published on
    event_type: str | None  # from its headers: an undecodable message may have none
    event_id: str | None
    reason: str


class Retried(msgspec.Struct, frozen=True, kw_only=True):
    letter: DeadLetter
    stream: str  # where the message is again: TANDEM_PLAN, or TANDEM_DELIVERY for a report
    sequence: int
    already: bool  # it had been republished before: this call published nothing new


class NoSuchDeadLetter(LookupError):
    """No dead letter has this id (never had, or it was retried already)."""


async def dead_letters(js: JetStreamContext) -> list[DeadLetter]:
    """Every dead letter still in TANDEM_DLQ, oldest first."""
    return [_letter(raw) async for raw in _stored(js)]


async def retry(js: JetStreamContext, letter_id: int) -> Retried:
    """Republish the dead letter's event to its plan subject, then delete the dead letter."""
    raw = await _get(js, letter_id)
    letter = _letter(raw)
    headers = {k: v for k, v in (raw.headers or {}).items() if k != DLQ_HEADER_REASON}
    headers[HEADER_MSG_ID] = f"dlq-retry:{letter.id}:{letter.at.isoformat()}"
    headers[DLQ_HEADER_RETRIED_FROM] = f"{DLQ_STREAM}:{letter.id}"
    ack = await js.publish(letter.subject, raw.data or b"", headers=headers)
    await _delete(js, letter.id)
    return Retried(letter=letter, stream=ack.stream, sequence=ack.seq, already=bool(ack.duplicate))


async def _stored(js: JetStreamContext) -> AsyncIterator[RawStreamMsg]:
    """The stored messages in sequence order, skipping the gaps that retries leave."""
    try:
        await js.stream_info(DLQ_STREAM)
    except NotFoundError:
        return  # the planner has not created its streams yet: nothing was dead-lettered
    sequence = 1
    while True:
        try:
            raw = await js.get_msg(DLQ_STREAM, sequence, subject=DLQ_SUBJECTS, next=True)
        except NotFoundError:
            return  # nothing at or after this sequence
        yield raw
        sequence = (raw.seq or sequence) + 1


async def _get(js: JetStreamContext, letter_id: int) -> RawStreamMsg:
    try:
        return await js.get_msg(DLQ_STREAM, letter_id)
    except NotFoundError:
        raise NoSuchDeadLetter(letter_id) from None


async def _delete(js: JetStreamContext, letter_id: int) -> None:
    try:
        await js.delete_msg(DLQ_STREAM, letter_id)
    except APIError as exc:
        if exc.err_code != NO_MESSAGE_FOUND:
            raise
        # a retry running beside this one deleted it first


def _letter(raw: RawStreamMsg) -> DeadLetter:
    headers = raw.headers or {}
    if raw.seq is None or raw.time is None or raw.subject is None:
        raise NoSuchDeadLetter(raw.seq)  # the server always sends these for a stored message
    return DeadLetter(
        id=raw.seq,
        at=raw.time,
        subject=original_subject(raw.subject),
        event_type=headers.get(HEADER_EVENT_TYPE),
        event_id=headers.get(HEADER_EVENT_ID),
        reason=headers.get(DLQ_HEADER_REASON, ""),
    )
