"""The notifier process: consume plan events, send from the ledger, fire timers, report.

The intake (``notifier.intake``) turns plan events into ledger claims; the worker
(``notifier.loops``) sends claims, fires due timers and reports outcomes, woken by NOTIFY
on the ledger. They share one pool, and the status server reports on both.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
import nats
import nats.errors
import structlog
from nats.aio.client import Client

from common.waiting import unless_stopped, wait_any
from contracts.subjects import PLAN_STREAM
from notifier import status
from notifier.channels import registry
from notifier.channels.retry import RetryPolicy
from notifier.intake import fetching
from notifier.intake.consumer import Consumer
from notifier.ledger.sessions import DATABASE_ERRORS, open_pool
from notifier.loops.escalator import Escalator
from notifier.loops.reporter import Reporter
from notifier.loops.sender import Sender
from notifier.loops.worker import Worker
from notifier.settings import NotifierSettings

log = structlog.stdlib.get_logger("notifier")
T = TypeVar("T")

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
        await fetching.ensure_durable(nc, self.settings, stop)
        subscription = await js.pull_subscribe_bind(self.settings.consumer_name, PLAN_STREAM)
        self.dependencies.consumer_bound = True
        consumer = Consumer(self.settings, pool, js)
        policy = RetryPolicy(  # one round's tries; the ledger schedules the rounds
            max_attempts=self.settings.retry_attempts,
            base_delay=self.settings.retry_base_delay,
            deadline=self.settings.retry_deadline,
        )
        channels = registry.build(self.settings, policy)
        sender = Sender(self.settings, pool, channels, consumer.alerting)
        faults = self.dependencies.faults
        escalator = Escalator(pool, consumer.alerting)
        worker = Worker(pool, sender, escalator, Reporter(pool, nc), faults)
        self.ready.set()
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(fetching.consume(subscription, consumer, stop, faults))
                group.create_task(worker.run(self.settings.database_url, stop))
        finally:
            await sender.stop()
            await registry.close(channels)


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
            log.warning("common.waiting", dependency=dependency, error=type(exc).__name__)
            await wait_any([stop], RECONNECT_SECONDS)
    return None
