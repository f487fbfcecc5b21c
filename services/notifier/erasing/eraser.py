"""An erasure event's whole part in the notifier, for the live consumer.

In order, each step safe to repeat, so a redelivered erasure is harmless and one that
failed half-way is finished by its redelivery:

1. read the plan's messages before the erasure from JetStream, and gather the person's
   traces from them (``domain.erasure.traces``);
2. blank every ledger row that holds them, in one transaction (``ledger.erasure.redact``),
   then rewrite the tables touched (``compact``: ``VACUUM (FULL, ANALYZE)``, a WAL flush);
3. delete, securely, the plan's messages that carry the person's id or a trace, the
   dead letters that do, and the plan's delivery reports that quote a trace.

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
from contracts.subjects import (
    DELIVERY_STREAM,
    DLQ_STREAM,
    DLQ_SUBJECTS,
    PLAN_STREAM,
    delivery_subject,
)
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
        subjects = streams.plan_subjects(plan_id)
        history = [m async for m in streams.stored(self.js, PLAN_STREAM, subjects, before=sequence)]
        async with self.pool.acquire() as conn:
            async with conn.transaction():
                redacted = await erasure.redact(conn, plan_id, subject, traces_in(subject, history))
            await erasure.compact(conn, redacted.tables)
        texts = [s.encode() for s in searchable(redacted.traces)]
        needles = [str(subject).encode(), *texts]  # the person's id, or one of their strings
        theirs = [m for m in history if m.carries(needles)]
        if delivered < self.settings.max_deliveries and await self._unsettled(theirs):
            raise NotSettledYet(str(envelope.event_id))
        letters = [m async for m in streams.stored(self.js, DLQ_STREAM, DLQ_SUBJECTS)]
        log.info(
            "erasure.done",
            plan_id=str(plan_id),
            erased_id=str(subject),
            event_id=str(envelope.event_id),
            rows=sum(redacted.rows.values()),
            tables=",".join(redacted.tables),
            messages=await streams.erase(self.js, PLAN_STREAM, [m.sequence for m in theirs]),
            dead_letters=await streams.erase(self.js, DLQ_STREAM, _carrying(letters, needles)),
            reports=await self._reports(plan_id, redacted.activations, texts),
        )

    async def _reports(self, plan_id: UUID, activations: list[UUID], texts: list[bytes]) -> int:
        """Delete the plan's delivery reports that quote the person (a provider's failure
        reason may give an address). By text only: a report naming them by id says no more
        than the planner's own record of it, and the planner may not have read it yet."""
        if not texts:
            return 0
        quoting = []
        for key in (plan_id, *activations):  # a report's subject names its activation or plan
            subjects = delivery_subject(key, "*")
            quoting += _carrying(
                [m async for m in streams.stored(self.js, DELIVERY_STREAM, subjects)], texts
            )
        return await streams.erase(self.js, DELIVERY_STREAM, quoting)

    async def _unsettled(self, messages: list[Stored]) -> bool:
        """Whether a message the notifier acts on may not be acknowledged yet."""
        acted_on = [m for m in messages if m.subject.rsplit(".", 1)[-1] in ACTED_ON_NAMES]
        if not acted_on:
            return False
        floor = await streams.ack_floor(self.js, PLAN_STREAM, self.settings.consumer_name)
        return any(m.sequence > floor for m in acted_on)


def traces_in(subject: UUID, history: Iterable[Stored]) -> frozenset[str]:
    """The person's strings in the plan's messages; one that does not decode gives none."""
    events = []
    for message in history:
        try:
            events.append(_envelope.decode(message.data).event)
        except msgspec.DecodeError:
            continue
    return traces(subject, events)


def _carrying(messages: Iterable[Stored], needles: list[bytes]) -> list[int]:
    return [m.sequence for m in messages if m.carries(needles)]
