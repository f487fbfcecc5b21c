"""The notifier process: consume plan events, send from the ledger, fire timers, report.

Two loops share one pool. The consumer turns plan events into ledger claims; the worker
sends claims, fires due timers and reports outcomes, woken by NOTIFY on the ledger (new
claims, finished sends, new timers) and otherwise sleeping until the next timer is due.
"""

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

import asyncpg
import nats
import nats.errors
from nats.aio.client import Client
from nats.js.errors import NotFoundError

from contracts.subjects import PLAN_STREAM
from notifier import adapters, migrations, timers
from notifier.channels.retry import RetryPolicy
from notifier.consumer import Consumer, consumer_config, ensure_consumer
from notifier.escalator import Escalator
from notifier.ledger import WORK_CHANNEL
from notifier.reporter import Reporter
from notifier.sender import Sender
from notifier.settings import NotifierSettings

log = logging.getLogger("notifier")

SAFETY_NET_SECONDS = 5.0  # the longest the worker sleeps without a NOTIFY
FETCH_BATCH = 32
FETCH_WAIT_SECONDS = 5.0  # a long poll: the server answers as soon as a message arrives


class Notifier:
    def __init__(self, settings: NotifierSettings) -> None:
        self.settings = settings
        self.ready = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        async with asyncpg.create_pool(self.settings.database_url, min_size=2, max_size=10) as pool:
            async with pool.acquire() as conn:
                await migrations.migrate(conn)
            nc = await nats.connect(
                self.settings.nats_url,
                allow_reconnect=True,
                max_reconnect_attempts=-1,
                reconnect_time_wait=0.5,
            )
            try:
                await self._serve(pool, nc, stop)
            finally:
                # close, not drain: unacknowledged messages are redelivered anyway, and a
                # drain waits out pending pull requests.
                await nc.close()

    async def _serve(self, pool: asyncpg.Pool, nc: Client, stop: asyncio.Event) -> None:
        js = nc.jetstream()
        await self._bind(nc, stop)
        subscription = await js.pull_subscribe_bind(self.settings.consumer_name, PLAN_STREAM)
        consumer = Consumer(self.settings, pool, js)
        policy = RetryPolicy(
            base_delay=self.settings.retry_base_delay, deadline=self.settings.retry_deadline
        )
        channels = adapters.build(self.settings, policy)
        sender = Sender(self.settings, pool, channels)
        worker = Worker(pool, sender, Escalator(pool, consumer.handling), Reporter(pool, js))
        self.ready.set()
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(_consume(subscription, consumer, stop))
                group.create_task(worker.run(self.settings.database_url, stop))
        finally:
            await sender.stop()
            await adapters.close(channels)

    async def _bind(self, nc: Client, stop: asyncio.Event) -> None:
        """Wait for the planner's stream, then make our durable consumer match the code."""
        jsm = nc.jsm()
        while not stop.is_set():
            try:
                await ensure_consumer(jsm, consumer_config(self.settings))
                return
            except (NotFoundError, nats.errors.Error) as exc:
                log.warning("consumer.waiting stream=%s error=%s", PLAN_STREAM, type(exc).__name__)
                await _wait(stop, 1.0)


async def _consume(subscription: object, consumer: Consumer, stop: asyncio.Event) -> None:
    fetch = subscription.fetch  # type: ignore[attr-defined]
    while not stop.is_set():
        try:
            messages = await _unless_stopped(fetch(FETCH_BATCH, timeout=FETCH_WAIT_SECONDS), stop)
        except nats.errors.TimeoutError:
            continue
        except nats.errors.Error as exc:
            log.warning("consumer.fetch_failed error=%s", type(exc).__name__)
            await _wait(stop, 1.0)
            continue
        for message in messages:
            await consumer.process(message)


class Worker:
    def __init__(
        self, pool: asyncpg.Pool, sender: Sender, escalator: Escalator, reporter: Reporter
    ) -> None:
        self.pool = pool
        self.sender = sender
        self.escalator = escalator
        self.reporter = reporter

    async def run(self, dsn: str, stop: asyncio.Event) -> None:
        wake = asyncio.Event()
        listener = await asyncpg.connect(dsn)
        await listener.add_listener(WORK_CHANNEL, lambda *_: wake.set())
        try:
            while not stop.is_set():
                wake.clear()
                await self._round()
                await _wait(stop, await self._sleep_for(), wake)
        finally:
            await listener.close()

    async def _round(self) -> None:
        try:
            await self.sender.drain()
            await self.escalator.fire_due()
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
            log.warning("worker.database_error error=%s", type(exc).__name__)
        try:
            await self.reporter.drain()
        except nats.errors.Error as exc:  # NATS away: the ledger keeps the reports
            log.warning("reporter.deferred error=%s", type(exc).__name__)

    async def _sleep_for(self) -> float:
        due = await timers.next_due(self.pool)
        if due is None:
            return SAFETY_NET_SECONDS
        return max(0.0, min(SAFETY_NET_SECONDS, (due - datetime.now(UTC)).total_seconds()))


async def _unless_stopped(fetching: Any, stop: asyncio.Event) -> list[Any]:
    """The fetched messages, or none when ``stop`` is set first (the long poll is dropped)."""
    fetch = asyncio.ensure_future(fetching)
    stopped = asyncio.ensure_future(stop.wait())
    await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    if not fetch.done():
        fetch.cancel()
        await asyncio.wait({fetch})  # unlike awaiting it, never swallows our own cancellation
        return []
    result: list[Any] = fetch.result()
    return result


async def _wait(stop: asyncio.Event, seconds: float, wake: asyncio.Event | None = None) -> None:
    """Until ``stop`` (or ``wake``) is set, or ``seconds`` pass."""
    waiters = [asyncio.ensure_future(stop.wait())]
    if wake is not None:
        waiters.append(asyncio.ensure_future(wake.wait()))
    with contextlib.suppress(TimeoutError):
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    for waiter in waiters:
        waiter.cancel()
