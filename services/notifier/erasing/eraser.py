"""An erasure event's whole part in the notifier, for the live consumer.

In order, each step safe to repeat, so a redelivered erasure is harmless and one that
failed half-way is finished by its redelivery:

1. read the plan's messages before the erasure from JetStream, and gather the person's
   traces from them (``domain.erasure.traces``);
2. blank every ledger row that holds them, in one transaction (``ledger.erasure.redact``),
   then rewrite the tables touched (``compact``: ``VACUUM (FULL, ANALYZE)``, a WAL flush);
3. delete, securely, the plan's messages that carry the person's id or a trace, and the
   dead letters that do.

Step 3 waits until the notifier no longer needs those messages: one it acts on that is not
acknowledged yet (its handling was retried, or another plan's slower message keeps the
consumer's ack floor below it) may still have work to do. The erasure is retried a few
times for that; its last delivery deletes them anyway, because a plan with nobody waiting
for an answer (erasing is refused while an activation is open) owes nobody those messages.
"""

from collections.abc import Iterable
from uuid import UUID

import asyncpg
import msgspec
import structlog
from nats.js import JetStreamContext

from contracts.envelope import Envelope
from contracts.events import PlanEvent
from contracts.subjects import DLQ_STREAM, DLQ_SUBJECTS, PLAN_STREAM
from notifier.alerting.handlers import ACTED_ON
from notifier.domain.erasure import erased_subject, searchable, traces
from notifier.erasing import streams
from notifier.erasing.streams import Stored
from notifier.ledger import erasure
from notifier.settings import NotifierSettings

log = structlog.stdlib.get_logger("notifier.erasure")

_envelope = msgspec.json.Decoder(Envelope)
ACTED_ON_NAMES = frozenset(str(c.__struct_config__.tag).removeprefix("plan.") for c in ACTED_ON)


class NotSettledYet(Exception):
    """Some of the person's messages may still be handled by the notifier: erase them later."""


class Eraser:
    def __init__(self, settings: NotifierSettings, pool: asyncpg.Pool, js: JetStreamContext):
        self.settings = settings
        self.pool = pool
        self.js = js

    async def erase(self, envelope: Envelope, sequence: int, delivered: int) -> None:
        """Erase the person ``envelope``'s event names; ``sequence``: its place in the stream."""
        subject = erased_subject(envelope.event)
        if subject is None:
            return
        plan_id = envelope.stream_id
        history = [
            m
            async for m in streams.stored(
                self.js, PLAN_STREAM, streams.plan_subjects(plan_id), before=sequence
            )
        ]
        async with self.pool.acquire() as conn:
            async with conn.transaction():
                found = traces(subject, _events(history))
                redacted = await erasure.redact(conn, plan_id, subject, found)
            await erasure.compact(conn, redacted.tables)
        needles = _needles(subject, redacted.traces)
        theirs = [m for m in history if m.carries(needles)]
        if delivered < self.settings.max_deliveries and await self._unsettled(theirs):
            raise NotSettledYet(str(envelope.event_id))
        messages = await streams.erase(self.js, PLAN_STREAM, [m.sequence for m in theirs])
        letters = [m async for m in streams.stored(self.js, DLQ_STREAM, DLQ_SUBJECTS)]
        dead = await streams.erase(self.js, DLQ_STREAM, _carrying(letters, needles))
        log.info(
            "erasure.done",
            plan_id=str(plan_id),
            erased_id=str(subject),
            event_id=str(envelope.event_id),
            rows=sum(redacted.rows.values()),
            tables=",".join(redacted.tables),
            messages=messages,
            dead_letters=dead,
        )

    async def _unsettled(self, messages: list[Stored]) -> bool:
        """Whether a message the notifier acts on may not be acknowledged yet."""
        acted_on = [m for m in messages if m.subject.rsplit(".", 1)[-1] in ACTED_ON_NAMES]
        if not acted_on:
            return False
        floor = await streams.ack_floor(self.js, PLAN_STREAM, self.settings.consumer_name)
        return any(m.sequence > floor for m in acted_on)


def _events(history: Iterable[Stored]) -> list[PlanEvent]:
    """The plan events of ``history``; a message that does not decode has none to give."""
    events = []
    for message in history:
        try:
            events.append(_envelope.decode(message.data).event)
        except msgspec.DecodeError:
            continue
    return events


def _needles(subject: UUID, strings: Iterable[str]) -> list[bytes]:
    """What marks a message as the person's: their id, or one of their strings."""
    return [str(subject).encode(), *(s.encode() for s in searchable(strings))]


def _carrying(messages: Iterable[Stored], needles: list[bytes]) -> list[int]:
    return [m.sequence for m in messages if m.carries(needles)]
