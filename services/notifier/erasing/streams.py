"""Messages in JetStream, read by subject and deleted for good, for an erasure.

A plan's messages are found by its subjects (``tandem.plan.<plan id>.>``) with
``get_msg(next=True)``: the server looks each next one up in its per-subject index, so an
erasure reads only that plan's messages, not the whole stream.

Deleting erases. nats-py's ``delete_msg`` sends ``{"seq": n}`` and nothing else, and
JetStream's delete request erases unless it says ``"no_erase": true``: the server overwrites
the message's bytes in its store with random data before it forgets it, so the text is not
left on disk behind a "deleted" mark (a test reads the store folder to show it).
"""

from collections.abc import AsyncIterator, Iterable
from uuid import UUID

import msgspec
from nats.js import JetStreamContext
from nats.js.errors import APIError, NotFoundError

NO_MESSAGE_FOUND = 10037  # JetStream's error code: deleted already (a redelivered erasure)


class Stored(msgspec.Struct, frozen=True, kw_only=True):
    sequence: int
    subject: str
    data: bytes
    headers: dict[str, str]

    def carries(self, needles: Iterable[bytes]) -> bool:
        """Whether any of ``needles`` is in the message's data or a header's value."""
        values = [self.data, *(v.encode() for v in self.headers.values())]
        return any(needle in value for needle in needles for value in values)


def plan_subjects(plan_id: UUID) -> str:
    return f"tandem.plan.{plan_id}.>"


async def stored(
    js: JetStreamContext, stream: str, subjects: str, *, before: int | None = None
) -> AsyncIterator[Stored]:
    """The messages of ``stream`` on ``subjects`` in sequence order (below ``before``)."""
    sequence = 1
    while True:
        try:
            raw = await js.get_msg(stream, sequence, subject=subjects, next=True)
        except NotFoundError:
            return  # nothing at or after this sequence (or no such stream yet)
        if raw.seq is None or (before is not None and raw.seq >= before):
            return
        yield Stored(
            sequence=raw.seq,
            subject=raw.subject or "",
            data=raw.data or b"",
            headers=dict(raw.headers or {}),
        )
        sequence = raw.seq + 1


async def erase(js: JetStreamContext, stream: str, sequences: Iterable[int]) -> int:
    """Delete each message (overwritten on disk, see above); how many were still there."""
    erased = 0
    for sequence in sequences:
        try:
            await js.delete_msg(stream, sequence)
        except APIError as exc:
            if exc.err_code != NO_MESSAGE_FOUND:
                raise
            continue
        erased += 1
    return erased


async def ack_floor(js: JetStreamContext, stream: str, consumer: str) -> int:
    """The stream sequence at and below which ``consumer`` has acknowledged every message."""
    info = await js.consumer_info(stream, consumer)
    return info.ack_floor.stream_seq if info.ack_floor else 0
