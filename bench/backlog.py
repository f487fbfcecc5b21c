"""What waits in the stack while a benchmark runs, sampled a few times a second.

Three queues lie between an activation and its webhook: outbox rows the relay has not
published, plan-stream messages the notifier's durable consumer has not settled (not yet
fetched, or fetched and not yet acknowledged), and deliveries claimed in the notifier's
ledger and not yet finished. A queue that keeps growing through a steady run is the hop
that does not keep up.
"""

import asyncio
from dataclasses import dataclass, field
from types import TracebackType

import asyncpg
import nats
from nats.aio.client import Client

from bench.stack import Service, database_url, nats_url
from contracts.subjects import PLAN_STREAM

NOTIFIER_CONSUMER = "notifier"
SAMPLE_SECONDS = 0.25
SETTLE_TIMEOUT_SECONDS = 120.0
OUTBOX = "SELECT count(*) FROM outbox WHERE published_at IS NULL"
LEDGER = "SELECT count(*) FROM notifier.deliveries WHERE status = 'claimed'"


@dataclass(frozen=True)
class Backlog:
    outbox: int
    stream: int
    ledger: int


@dataclass
class BacklogWatch:
    """Samples the backlog in the background for the duration of an ``async with``."""

    service: Service
    samples: list[Backlog] = field(default_factory=list)
    marked: int | None = None  # how many samples there were at ``mark()``
    _task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> "BacklogWatch":
        conn = await asyncpg.connect(database_url(self.service))
        nc = await nats.connect(nats_url(self.service))
        self._task = asyncio.create_task(self._sample(conn, nc))
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait({self._task})

    def mark(self) -> None:
        """Note this moment (say, the last activation sent) for ``describe``."""
        self.marked = len(self.samples)

    async def _sample(self, conn: asyncpg.Connection, nc: Client) -> None:
        jsm = nc.jsm()
        try:
            while True:
                consumer = await jsm.consumer_info(PLAN_STREAM, NOTIFIER_CONSUMER)
                self.samples.append(
                    Backlog(
                        outbox=int(await conn.fetchval(OUTBOX)),
                        stream=(consumer.num_pending or 0) + (consumer.num_ack_pending or 0),
                        ledger=int(await conn.fetchval(LEDGER)),
                    )
                )
                await asyncio.sleep(SAMPLE_SECONDS)
        finally:
            await conn.close()
            await nc.close()

    def describe(self) -> str:
        if not self.samples:
            return "backlog: no samples"
        at = self.samples[max(0, (self.marked or len(self.samples)) - 1)]
        return (
            "backlog, most (at the mark): "
            f"outbox {max(s.outbox for s in self.samples)} ({at.outbox}), "
            f"plan stream at the notifier {max(s.stream for s in self.samples)} ({at.stream}), "
            f"ledger claimed {max(s.ledger for s in self.samples)} ({at.ledger})"
        )


async def settle(service: Service) -> None:
    """Wait until nothing waits anywhere: the stack is idle (say, between two runs)."""
    async with BacklogWatch(service) as watch:
        deadline = asyncio.get_running_loop().time() + SETTLE_TIMEOUT_SECONDS
        while not watch.samples or watch.samples[-1] != Backlog(outbox=0, stream=0, ledger=0):
            if asyncio.get_running_loop().time() > deadline:
                raise RuntimeError(f"the stack did not settle: {watch.describe()}")
            await asyncio.sleep(SAMPLE_SECONDS)
