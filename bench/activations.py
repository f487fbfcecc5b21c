"""Activations sent at a steady rate (open loop), each resolved once its alert arrived.

A slot is one plan at one level: a plan may have one open activation per level, so each
plan set up gives three slots. An activation is sent on schedule, not when the previous
one ended; it waits only for a free slot, which shows as an achieved rate below the one
asked. Every activation's alert must arrive, signed with its plan's secret, or the run
fails.
"""

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from bench.figures import Figure, figure, percentile
from bench.http1 import Http1Client
from bench.plans import BenchPlan
from bench.receiver import Arrival, Receiver
from notifier.channels.webhook import verify

ALERT_TIMEOUT_SECONDS = 120.0  # a stack that falls behind is measured, not failed
LEVELS = ("watch", "setback", "crisis")


@dataclass(frozen=True)
class Slot:
    plan: BenchPlan
    level: str


@dataclass(frozen=True)
class Sample:
    activation_id: str
    sent: float  # perf_counter(): the POST left
    accepted: float  # perf_counter(): its 201 was read
    arrival: Arrival  # its signed alert, as the receiver read it

    @property
    def latency_ms(self) -> float:
        """Accepted → webhook received. An alert read before the 201 counts as 0."""
        return max(0.0, self.arrival.at - self.accepted) * 1000


@dataclass(frozen=True)
class Run:
    rate_asked: float
    samples: list[Sample]  # in the order they were sent

    @property
    def rate_achieved(self) -> float:
        """Activations per second between the first and the last send."""
        span = self.samples[-1].sent - self.samples[0].sent
        return (len(self.samples) - 1) / span if span > 0 else float("inf")

    def latencies_ms(self) -> list[float]:
        return [s.latency_ms for s in self.samples]


def slots_of(plans: list[BenchPlan]) -> list[Slot]:
    """Every plan at every level, plans first: consecutive activations use different plans."""
    return [Slot(plan, level) for level in LEVELS for plan in plans]


def latency_figures(prefix: str, run: Run) -> list[Figure]:
    """``{prefix}: p50``, ``p99`` and ``max`` of accepted → webhook, in ms (one run each)."""
    values = run.latencies_ms()
    return [
        figure(f"{prefix}: p50", "ms", [percentile(values, 50)], digits=2),
        figure(f"{prefix}: p99", "ms", [percentile(values, 99)], digits=2),
        figure(f"{prefix}: max", "ms", [max(values)], digits=2),
    ]


def median_ms(samples: list[Sample]) -> float:
    return statistics.median(s.latency_ms for s in samples)


async def one_activation(client: Http1Client, receiver: Receiver, slot: Slot) -> Sample:
    plan = slot.plan
    sent = time.perf_counter()
    answer = await client.post(
        f"/v1/plans/{plan.plan_id}/activations", {"level": slot.level}, plan.auth
    )
    accepted = time.perf_counter()
    if answer.status != 201:
        raise RuntimeError(f"activation refused: {answer.status} {answer.body!r}")
    activation_id = str(answer.json()["activation_id"])
    arrival = await asyncio.wait_for(receiver.alert_for(activation_id), ALERT_TIMEOUT_SECONDS)
    if not verify(plan.webhook_secret, arrival.headers, arrival.body):
        raise RuntimeError(f"alert of {activation_id} has a bad signature")
    resolved = await client.post(
        f"/v1/plans/{plan.plan_id}/activations/{activation_id}/resolve",
        {"outcome": "resolved"},
        plan.auth,
    )
    if resolved.status != 200:
        raise RuntimeError(f"resolve refused: {resolved.status} {resolved.body!r}")
    return Sample(activation_id, sent, accepted, arrival)


async def drive(
    client: Http1Client,
    receiver: Receiver,
    slots: list[Slot],
    count: int,
    rate: float,
    sent_all: Callable[[], object] | None = None,
) -> Run:
    """``count`` activations at ``rate`` per second, each on its own free slot.

    ``sent_all`` is called once the last one is sent, before waiting for the alerts.
    """
    free: asyncio.Queue[Slot] = asyncio.Queue()
    for slot in slots:
        free.put_nowait(slot)

    async def cycle(slot: Slot) -> Sample:
        try:
            return await one_activation(client, receiver, slot)
        finally:
            free.put_nowait(slot)

    start = time.perf_counter()
    running: list[asyncio.Task[Sample]] = []
    for index in range(count):
        await asyncio.sleep(max(0.0, start + index / rate - time.perf_counter()))
        running.append(asyncio.create_task(cycle(await free.get())))
    if sent_all is not None:
        sent_all()
    return Run(rate, list(await asyncio.gather(*running)))
