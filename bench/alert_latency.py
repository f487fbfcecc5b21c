"""Alert latency: an activation accepted by the API → its signed webhook received.

    .venv/bin/python -m bench.alert_latency [--activations 1000] [--rate 50] [--plans 160]
    .venv/bin/python -m bench.alert_latency --quick      # a short run while developing

Runs `tandem dev` (embedded PostgreSQL and nats-server, the notifier as its own process)
in a temporary folder, sets up plans whose support contact has a webhook at a loopback
receiver in this process, then, after 50 warm-up activations that are not counted:

1. ``--activations`` at a steady ``--rate`` (open loop: each activation is sent on schedule,
   not when the previous one ended; each is resolved once its alert arrived): p50, p99 and
   max of accepted → webhook, both ends read from this process's clock; and the median of
   each hop, from the timestamps the services record (``bench.alert_hops``). Three rounds
   (``Options.rounds``): each figure is the median of the rounds' own, with min and max;
2. the highest rate sustained without a growing backlog (``bench.sustained_rate``), and
   the latencies at that rate, with its hops: what an alert costs when nothing queues;
3. the peak RSS (VmHWM) of the planner and of the notifier over 1 and 2;
4. the notifier's peak RSS with 10,000 alerts pending (``bench.notifier_memory``).

Progress and per-step details go to stderr (each run's CPU use by process and the most
work that waited in each queue: ``bench.cpu``, ``bench.backlog``); the figures table to
stdout. Defaults take about 3.5 minutes on a 2-core machine.
"""

import argparse
import asyncio
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from bench.activations import Run, Slot, drive, latency_figures, slots_of
from bench.alert_hops import hop_figures
from bench.backlog import BacklogWatch, settle
from bench.cpu import CpuShare
from bench.figures import Figure, figure, over_rounds, table
from bench.http1 import Http1Client
from bench.memory import notifier_pid, peak_rss_mb, planner_pid
from bench.notifier_memory import Tally, pending_figure
from bench.plans import many_plans
from bench.receiver import Receiver
from bench.stack import Service, database_url, nats_url, tandem_dev
from bench.sustained_rate import Step, search

WARM_UP_ACTIVATIONS = 50
SETUP_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class Options:
    activations: int = 1000  # measured at ``rate``, in each round
    rate: float = 50.0
    rounds: int = 3  # of ``activations`` at ``rate``: each figure is a median over them
    plans: int = 160  # three slots each (one per level): enough for 50/s at 9 s per alert
    step_seconds: float = 8.0  # per probe of a rate (at least 100 activations)
    step_activations: int = 1000  # at least, at the sustained rate
    pending_alerts: int = 10_000


QUICK = Options(
    activations=200,
    rounds=1,
    plans=32,
    step_seconds=3.0,
    step_activations=200,
    pending_alerts=2000,
)


@dataclass(frozen=True)
class Bench:
    service: Service
    receiver: Receiver
    setup: httpx.AsyncClient  # plans, and the 10,000-alert backlog
    load: Http1Client  # the activations measured
    options: Options


async def collect(options: Options | None = None) -> list[Figure]:
    """Every alert-latency and notifier-memory figure, from one `tandem dev`."""
    receiver = Receiver()
    await receiver.start()
    try:
        with tandem_dev() as service:
            load = Http1Client(service.base_url)
            async with httpx.AsyncClient(base_url=service.base_url, timeout=60) as setup:
                bench = Bench(service, receiver, setup, load, options or Options())
                try:
                    return await _measure(bench)
                finally:
                    await load.aclose()
    finally:
        await receiver.stop()


async def suite_part(quick: bool) -> list[Figure]:
    """This part of `make bench` (``bench.suite``)."""
    return await collect(QUICK if quick else None)


async def _measure(bench: Bench) -> list[Figure]:
    slots = await _slots(bench.setup, bench.receiver, bench.options.plans)
    await drive(bench.load, bench.receiver, slots, WARM_UP_ACTIVATIONS, bench.options.rate)
    prefix = f"alert latency at {bench.options.rate:g}/s"
    runs = [await _steady(bench, slots) for _ in range(max(1, bench.options.rounds))]
    figures = over_rounds([await _latencies(bench, prefix, run) for run in runs])
    found = await search(  # from the last round at the steady rate
        bench.load,
        bench.receiver,
        slots,
        Step(runs[-1]),
        bench.service,
        seconds=bench.options.step_seconds,
        min_count=bench.options.step_activations,
    )
    figures += await _sustained(bench, found.best)
    service = bench.service
    figures += [
        figure("peak RSS planner (alert latency)", "MiB", [peak_rss_mb(planner_pid(service))]),
        figure("peak RSS notifier (alert latency)", "MiB", [peak_rss_mb(notifier_pid(service))]),
    ]
    _progress(_repeats(bench.receiver))
    alerts = bench.options.pending_alerts
    figures.append(await pending_figure(bench.setup, bench.receiver, service, alerts))
    return figures


async def _steady(bench: Bench, slots: list[Slot]) -> Run:
    """``activations`` at ``rate``, on a quiet stack (after the warm-up)."""
    options = bench.options
    await settle(bench.service)
    cpu = CpuShare(bench.service)
    async with BacklogWatch(bench.service) as backlog:
        steady = await drive(
            bench.load, bench.receiver, slots, options.activations, options.rate, backlog.mark
        )
    _progress(f"{Step(steady).describe()}\n    {cpu.describe()}\n    {backlog.describe()}")
    if not Step(steady).kept_pace:
        _progress(f"the run fell short of {options.rate:g}/s: too few plans (--plans)?")
    return steady


async def _latencies(bench: Bench, prefix: str, run: Run) -> list[Figure]:
    database, nats = database_url(bench.service), nats_url(bench.service)
    return latency_figures(prefix, run) + await hop_figures(prefix, run.samples, database, nats)


async def _sustained(bench: Bench, best: Step | None) -> list[Figure]:
    rate = best.run.rate_asked if best else 0.0
    figures = [figure("alert latency: sustained rate", "activations/s", [rate], digits=0)]
    if best is None:
        _progress("no rate probed was sustained")
        return figures
    return figures + await _latencies(bench, "alert latency at sustained rate", best.run)


def _repeats(receiver: Receiver) -> str:
    """Any webhook id the receiver got twice: none is expected while it answers at once."""
    ids = Counter(arrival.headers.get("webhook-id") for arrival in receiver.arrivals)
    repeated = sum(count - 1 for count in ids.values() if count > 1)
    return (
        f"receiver: {len(receiver.arrivals)} requests, {len(ids)} webhook ids, {repeated} repeats"
    )


async def _slots(client: httpx.AsyncClient, receiver: Receiver, count: int) -> list[Slot]:
    tally = Tally(receiver)
    started = time.monotonic()
    plans = await many_plans(client, receiver, count)
    await _until(lambda: tally.update().consent_requests >= count, "consent requests")
    _progress(f"{count} plans set up in {time.monotonic() - started:.1f} s")
    return slots_of(plans)


async def _until(ready: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + SETUP_TIMEOUT_SECONDS
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"waiting for {what} timed out")
        await asyncio.sleep(0.05)


def _progress(line: str) -> None:
    sys.stderr.write(f"  {line}\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    defaults = Options()
    parser.add_argument("--activations", type=int, default=defaults.activations)
    parser.add_argument("--rate", type=float, default=defaults.rate, help="activations/s")
    parser.add_argument("--plans", type=int, default=defaults.plans, help="3 slots each")
    parser.add_argument("--pending", type=int, default=defaults.pending_alerts, help="alerts")
    parser.add_argument("--quick", action="store_true", help="fewer of everything")
    args = parser.parse_args(argv)
    if args.quick:
        options = QUICK
    else:
        options = Options(
            activations=args.activations,
            rate=args.rate,
            plans=args.plans,
            pending_alerts=args.pending,
        )
    if options.activations < 100:
        parser.error("--activations must be at least 100 for a p99")
    started = time.monotonic()
    figures = asyncio.run(collect(options))
    print(table(figures))
    _progress(f"collect() took {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
