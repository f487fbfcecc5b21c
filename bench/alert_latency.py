"""Alert latency: an activation accepted by the API → its signed webhook received.

    .venv/bin/python -m bench.alert_latency [--activations 300] [--rate 50] [--plans 64]

Runs `tandem dev` (embedded PostgreSQL and nats-server, the notifier as its own process)
in a temporary folder, sets up plans whose support contact has a webhook at a loopback
receiver in this process, then activates at a steady rate (open loop: each activation is
sent on schedule, not when the previous one ended), resolving each once its alert arrived.
Both ends of each figure are read from this process's clock.
"""

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import msgspec

from bench.plans import BenchPlan, many_plans
from bench.receiver import Arrival, Receiver
from bench.stack import tandem_dev
from notifier.channels.webhook import verify

ALERT_TIMEOUT_SECONDS = 30.0
WARM_UP_ACTIVATIONS = 50


@dataclass(frozen=True)
class Sample:
    sent: float  # the POST left
    accepted: float  # its 201 was read
    received: float  # the signed alert was read by the receiver

    @property
    def from_accepted_ms(self) -> float:
        # The alert may arrive before the client has read the 201: that counts as 0.
        return max(0.0, self.received - self.accepted) * 1000

    @property
    def from_sent_ms(self) -> float:
        return (self.received - self.sent) * 1000

    @property
    def api_ms(self) -> float:
        return (self.accepted - self.sent) * 1000


class Summary(msgspec.Struct, frozen=True):
    p50: float
    p99: float
    max: float


class Result(msgspec.Struct, frozen=True):
    activations: int
    rate_asked: float
    rate_achieved: float
    accepted_to_webhook_ms: Summary
    sent_to_webhook_ms: Summary
    api_response_ms: Summary


def summarise(values: list[float]) -> Summary:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return Summary(p50=round(cuts[49], 2), p99=round(cuts[98], 2), max=round(max(values), 2))


async def one_activation(client: httpx.AsyncClient, receiver: Receiver, plan: BenchPlan) -> Sample:
    sent = time.perf_counter()
    answer = await client.post(
        f"/v1/plans/{plan.plan_id}/activations", json={"level": "crisis"}, headers=plan.auth
    )
    accepted = time.perf_counter()
    if answer.status_code != 201:
        raise RuntimeError(f"activation refused: {answer.status_code} {answer.text}")
    activation_id = answer.json()["activation_id"]
    arrival: Arrival = await asyncio.wait_for(
        receiver.alert_for(activation_id), ALERT_TIMEOUT_SECONDS
    )
    if not verify(plan.webhook_secret, arrival.headers, arrival.body):
        raise RuntimeError(f"alert of {activation_id} has a bad signature")
    resolved = await client.post(
        f"/v1/plans/{plan.plan_id}/activations/{activation_id}/resolve",
        json={"outcome": "resolved"},
        headers=plan.auth,
    )
    if resolved.status_code != 200:
        raise RuntimeError(f"resolve refused: {resolved.status_code} {resolved.text}")
    return Sample(sent, accepted, arrival.at)


async def drive(
    client: httpx.AsyncClient, receiver: Receiver, plans: list[BenchPlan], count: int, rate: float
) -> tuple[list[Sample], float]:
    """``count`` activations at ``rate`` per second; the samples and the rate achieved."""
    free: asyncio.Queue[BenchPlan] = asyncio.Queue()
    for plan in plans:
        free.put_nowait(plan)

    async def cycle(plan: BenchPlan) -> Sample:
        try:
            return await one_activation(client, receiver, plan)
        finally:
            free.put_nowait(plan)

    start = time.perf_counter()
    running: list[asyncio.Task[Sample]] = []
    for index in range(count):
        await asyncio.sleep(max(0.0, start + index / rate - time.perf_counter()))
        running.append(asyncio.create_task(cycle(await free.get())))
    samples = await asyncio.gather(*running)
    return samples, count / (time.perf_counter() - start)


async def measure(activations: int, rate: float, plan_count: int) -> Result:
    receiver = Receiver()
    await receiver.start()
    try:
        with tandem_dev() as service:
            limits = httpx.Limits(max_connections=plan_count, max_keepalive_connections=plan_count)
            async with httpx.AsyncClient(
                base_url=service.base_url, limits=limits, timeout=30
            ) as client:
                plans = await many_plans(client, receiver.url, plan_count)
                await _until(lambda: receiver.count("tandem.consent_request") >= plan_count)
                # Not counted: the first activations pay for connections and warm caches.
                await drive(client, receiver, plans, WARM_UP_ACTIVATIONS, rate)
                samples, achieved = await drive(client, receiver, plans, activations, rate)
    finally:
        await receiver.stop()
    return Result(
        activations=activations,
        rate_asked=rate,
        rate_achieved=round(achieved, 1),
        accepted_to_webhook_ms=summarise([s.from_accepted_ms for s in samples]),
        sent_to_webhook_ms=summarise([s.from_sent_ms for s in samples]),
        api_response_ms=summarise([s.api_ms for s in samples]),
    )


async def _until(ready: Callable[[], bool], timeout: float = 60.0) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError("the notifier did not deliver the consent requests in time")
        await asyncio.sleep(0.05)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--activations", type=int, default=300)
    parser.add_argument("--rate", type=float, default=50.0, help="activations per second")
    parser.add_argument("--plans", type=int, default=64, help="plans activated in turn")
    args = parser.parse_args(argv)
    if args.activations < 100:
        parser.error("--activations must be at least 100 for a p99")
    result = asyncio.run(measure(args.activations, args.rate, args.plans))
    print(f"{'figure':<26}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name in ("accepted_to_webhook_ms", "sent_to_webhook_ms", "api_response_ms"):
        figures: Summary = getattr(result, name)
        print(f"{name:<26}{figures.p50:>9}{figures.p99:>9}{figures.max:>9}")
    print(f"{result.activations} activations at {result.rate_achieved}/s (asked {args.rate}/s)")
    sys.stdout.write(msgspec.json.encode(result).decode() + "\n")


if __name__ == "__main__":
    main()
