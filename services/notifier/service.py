"""The notifier process: consume plan events, send from the ledger, fire timers, report.

The consumer turns plan events into ledger claims; the worker (``notifier.loops.worker``) sends
claims, fires due timers and reports outcomes, woken by NOTIFY on the ledger. They share
one pool.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
import nats
import nats.errors
import structlog
from nats.aio.client import Client
from nats.js.errors import NotFoundError

from contracts.subjects import PLAN_STREAM
from notifier import status
from notifier.channels import registry
from notifier.channels.retry import RetryPolicy
from notifier.consumer import Consumer, consumer_config, ensure_consumer
from notifier.ledger.sessions import DATABASE_ERRORS, open_pool
from notifier.loops.escalator import Escalator
from notifier.loops.reporter import Reporter
from notifier.loops.sender import Sender
from notifier.loops.worker import Worker
from notifier.settings import NotifierSettings
from notifier.waiting import unless_stopped, wait

log = structlog.stdlib.get_logger("notifier")
T = TypeVar("T")

FETCH_BATCH = 32
FETCH_WAIT_SECONDS = 5.0  # a long poll: the server answers as soon as a message arrives
CONNECT_TIMEOUT_SECONDS = 5.0
RECONNECT_SECONDS = 2.0  # between attempts to reach a dependency that is not up at start
NATS_ERRORS = (nats.errors.Error, OSError, TimeoutError)


class Notifier:
    def __init__(self, settings: NotifierSettings) -> None:
        self.settings = settings
        self.ready = asyncio.Event()
        self.dependencies = status.Dependencies(settings)
        self.status_url: str | None = None  # where /healthz, /readyz and /metrics answer

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until ``stop`` is set; a database or NATS not up yet is waited for."""
        async with status.serving(self.dependencies) as url:
            self.status_url = url
            log.info("notifier.status_server", metrics=f"{url}/metrics", readyz=f"{url}/readyz")
            await self._run(stop)

    async def _run(self, stop: asyncio.Event) -> None:
        pool = await _when_reachable("database", self._open_pool, DATABASE_ERRORS, stop)
        if pool is None:
            return
        self.dependencies.pool = pool
        try:
            nc = await _when_reachable("nats", self._connect_nats, NATS_ERRORS, stop)
            if nc is None:
                return
            self.dependencies.nats = nc
            try:
                await self._serve(pool, nc, stop)
            finally:
                # close, not drain: unacknowledged messages are redelivered anyway, and a
                # drain waits out pending pull requests.
                await nc.close()
        finally:
            await pool.close()

    async def _open_pool(self) -> asyncpg.Pool:
        return await open_pool(self.settings.database_url, CONNECT_TIMEOUT_SECONDS)

    async def _connect_nats(self) -> Client:
        return await nats.connect(
            self.settings.nats_url,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            allow_reconnect=True,
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.5,
        )

    async def _serve(self, pool: asyncpg.Pool, nc: Client, stop: asyncio.Event) -> None:
        js = nc.jetstream()
        await self._bind(nc, stop)
        subscription = await js.pull_subscribe_bind(self.settings.consumer_name, PLAN_STREAM)
        self.dependencies.consumer_bound = True
        consumer = Consumer(self.settings, pool, js)
        policy = RetryPolicy(
            base_delay=self.settings.retry_base_delay, deadline=self.settings.retry_deadline
        )
        channels = registry.build(self.settings, policy)
        sender = Sender(self.settings, pool, channels, consumer.alerting)
        worker = Worker(pool, sender, Escalator(pool, consumer.alerting), Reporter(pool, js))
        self.ready.set()
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(_consume(subscription, consumer, stop))
                group.create_task(worker.run(self.settings.database_url, stop))
        finally:
            await sender.stop()
            await registry.close(channels)

    async def _bind(self, nc: Client, stop: asyncio.Event) -> None:
        """Wait for the planner's stream, then make our durable consumer match the code."""
        jsm = nc.jsm()
        while not stop.is_set():
            try:
                await ensure_consumer(jsm, consumer_config(self.settings))
                return
            except (NotFoundError, nats.errors.Error) as exc:
                log.warning("consumer.waiting", stream=PLAN_STREAM, error=type(exc).__name__)
                await wait(stop, 1.0)


async def _when_reachable(
    dependency: str,
    connect: Callable[[], Awaitable[T]],
    errors: tuple[type[BaseException], ...],
    stop: asyncio.Event,
) -> T | None:
    """``connect()``, tried again every few seconds until it works; None if stopped first."""
    while not stop.is_set():
        try:
            return await unless_stopped(connect(), stop)
        except errors as exc:
            log.warning("notifier.waiting", dependency=dependency, error=type(exc).__name__)
            await wait(stop, RECONNECT_SECONDS)
    return None


async def _consume(subscription: object, consumer: Consumer, stop: asyncio.Event) -> None:
    fetch = subscription.fetch  # type: ignore[attr-defined]
    while not stop.is_set():
        try:
            fetching = fetch(FETCH_BATCH, timeout=FETCH_WAIT_SECONDS)
            messages: list[Any] = await unless_stopped(fetching, stop) or []
        except nats.errors.TimeoutError:
            continue
        except nats.errors.Error as exc:
            log.warning("consumer.fetch_failed", error=type(exc).__name__)
            await wait(stop, 1.0)
            continue
        # Plans side by side, each plan's events in stream order: one at a time, every
        # commit waited for its own WAL flush, and the consumer fell behind at 50
        # activations a second. The next fetch waits for the whole batch.
        await asyncio.gather(*(_in_order(consumer, group) for group in by_plan(messages)))


PLAN_ID_PART = 2  # of a subject tandem.plan.<plan id>.<event>


def by_plan(messages: list[Any]) -> list[list[Any]]:
    """The batch split by plan (``tandem.plan.<plan id>.<event>``), keeping each one's order."""
    groups: dict[str, list[Any]] = {}
    for message in messages:
        parts = str(message.subject).split(".")
        plan = parts[PLAN_ID_PART] if len(parts) > PLAN_ID_PART + 1 else message.subject
        groups.setdefault(plan, []).append(message)
    return list(groups.values())


async def _in_order(consumer: Consumer, messages: list[Any]) -> None:
    for message in messages:
        try:
            await consumer.process(message)
        except nats.errors.Error as exc:  # an ack or nak lost: JetStream redelivers it
            log.warning("consumer.settle_failed", error=type(exc).__name__)
