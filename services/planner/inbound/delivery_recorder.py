"""Recording the notifier's reports on their delivery streams, never on the plans' streams.

A durable pull consumer on ``tandem.delivery.>``: each report becomes an event on its
activation's delivery stream (``handlers.reports``) with the report id as event id, so a
report delivered twice is stored once, and no report ever conflicts with a person's command.
Reports that cannot apply (an unknown plan or activation) are dead-lettered with the
reason; database trouble is retried with a delay.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import suppress
from uuid import UUID

import asyncpg
import nats
import nats.errors
import structlog
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from common.consuming import FETCH_ERRORS, dead_letter, opened, pull, retry_delay
from common.waiting import Guard, in_background, wait_any
from contracts.delivery import DeliveryReported, NotifierReport, TierEscalated, report_decoder
from contracts.envelope import Metadata
from contracts.ids import EventId
from contracts.subjects import (
    DELIVERY_STREAM,
    DELIVERY_SUBJECTS,
    HEADER_CORRELATION_ID,
)
from planner.domain.errors import DomainError
from planner.domain.report_commands import RecordDelivery, RecordEscalation
from planner.handlers import reports
from planner.handlers.results import ConcurrencyConflict
from planner.metrics import DELIVERY_REPORTS
from planner.store.event_store import EventIdConflict, EventStoreError

log = structlog.stdlib.get_logger("planner.delivery_recorder")

DURABLE = "planner-recorder"
MAX_DELIVERIES = 10
FETCH_BATCH = 16


def consumer_config() -> ConsumerConfig:
    return ConsumerConfig(
        durable_name=DURABLE,
        filter_subject=DELIVERY_SUBJECTS,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=30.0,
        deliver_policy=DeliverPolicy.ALL,
        max_deliver=-1,  # bounded here, with a dead letter that says why
    )


def command_for(report: NotifierReport) -> RecordDelivery | RecordEscalation:
    match report:
        case DeliveryReported():
            return RecordDelivery(
                now=report.at,
                delivery_id=report.delivery_id,
                activation_id=report.activation_id,
                recipient_id=report.recipient_id,
                channel=report.channel,
                tier=report.tier,
                message=report.message,
                status=report.status,
                reason=report.reason,
                attempts=report.attempts,
                about=report.about,
                request_id=report.request_id,
            )
        case TierEscalated():
            return RecordEscalation(
                now=report.at, activation_id=report.activation_id, tier=report.tier
            )


class DeliveryRecorder:
    def __init__(self, pool: asyncpg.Pool, js: JetStreamContext, chain_key: bytes) -> None:
        self.pool = pool
        self.js = js
        self.chain_key = chain_key

    async def run(self, stop: asyncio.Event) -> None:
        subscription = await self._subscribe(stop)
        if subscription is not None:
            await pull(
                subscription,
                self._process_batch,
                stop,
                batch=FETCH_BATCH,
                guard=Guard("recorder", log, expected=FETCH_ERRORS, event="recorder.fetch_failed"),
            )

    async def _process_batch(self, messages: list[Msg]) -> None:
        for message in messages:
            await self.process(message)

    async def _subscribe(self, stop: asyncio.Event) -> JetStreamContext.PullSubscription | None:
        while not stop.is_set():
            try:
                await self.js.add_consumer(DELIVERY_STREAM, consumer_config())
                return await self.js.pull_subscribe_bind(DURABLE, DELIVERY_STREAM)
            except (NotFoundError, nats.errors.Error) as exc:
                log.warning("recorder.waiting", error=type(exc).__name__)
                await wait_any([stop], 1.0)
        return None

    async def process(self, msg: Msg) -> None:
        report = await opened(
            msg,
            report_decoder.decode,
            limit=MAX_DELIVERIES,
            what="report",
            give_up=self._dead_letter,
        )
        if report is None:
            return
        correlation_id = _correlation_id(msg) or report.report_id
        with structlog.contextvars.bound_contextvars(correlation_id=correlation_id):
            await self._record(msg, report, Metadata(actor=_ACTOR, correlation_id=correlation_id))

    async def _record(self, msg: Msg, report: NotifierReport, metadata: Metadata) -> None:
        kind = "escalation" if isinstance(report, TierEscalated) else "delivery"
        try:
            await reports.record(
                self.pool,
                report.plan_id,
                command_for(report),
                metadata,
                chain_key=self.chain_key,
                report_id=EventId(report.report_id),
            )
        except DomainError as exc:
            await self._dead_letter(msg, f"report does not apply: {exc.detail}", kind)
            return
        except EventIdConflict:
            await self._dead_letter(msg, "report id already used by a different report", kind)
            return
        except (
            asyncpg.PostgresError,
            asyncpg.InterfaceError,
            OSError,
            EventStoreError,
            ConcurrencyConflict,
        ):
            DELIVERY_REPORTS.labels(kind=kind, outcome="retried").inc()
            await msg.nak(delay=retry_delay(msg.metadata.num_delivered))
            return
        await msg.ack()
        DELIVERY_REPORTS.labels(kind=kind, outcome="recorded").inc()

    async def _dead_letter(self, msg: Msg, reason: str, kind: str = "unknown") -> None:
        await dead_letter(self.js, msg, reason)
        DELIVERY_REPORTS.labels(kind=kind, outcome="dead_lettered").inc()
        log.error("recorder.dead_lettered", subject=msg.subject, reason=reason)


_ACTOR = "service:notifier"


def _correlation_id(msg: Msg) -> UUID | None:
    """The correlation id the notifier passed on: that of the command that caused the report."""
    try:
        return UUID((msg.headers or {}).get(HEADER_CORRELATION_ID, ""))
    except ValueError:
        return None


@contextlib.asynccontextmanager
async def recording(pool: asyncpg.Pool, nats_url: str, chain_key: bytes) -> AsyncIterator[None]:
    """Record the notifier's reports in the background for the duration of the block.

    Connecting happens in the background too: the planner serves while NATS is away.
    """

    async def connected(stop: asyncio.Event) -> None:
        await _connected(pool, nats_url, chain_key, stop)

    name = "delivery-recorder"
    async with in_background(connected, name=name, log=log, late="recorder.stop_timeout"):
        yield


async def _connected(
    pool: asyncpg.Pool, nats_url: str, chain_key: bytes, stop: asyncio.Event
) -> None:
    # With unlimited reconnects, nats-py keeps retrying even the first connect.
    connection = await nats.connect(
        nats_url, allow_reconnect=True, max_reconnect_attempts=-1, reconnect_time_wait=0.5
    )
    try:
        await DeliveryRecorder(pool, connection.jetstream(), chain_key).run(stop)
    finally:
        # A server already gone refuses the flush a close does: nothing is lost, the
        # recorder acknowledges only what it recorded.
        with suppress(OSError):
            await connection.close()
