"""The highest activation rate the stack sustains without a growing backlog.

Probes start from the 50/s run: each sends, open loop, ``rate * seconds`` activations (at
least 100) once the stack is idle again. A probe is **sustained** when both hold:

- the achieved rate is at least 95% of the rate asked: the API kept up, and a free slot
  (plan and level) was there for every activation on schedule;
- the alert delay did not grow across the probe. A stack that falls behind queues the
  excess, so each alert waits longer than the one before: a stack 2% short of the rate
  falls behind by 20 ms every second. The median accepted → webhook latency of the last
  third of the probe may exceed that of the first third by at most 20 ms per second
  between the two (or by 50 ms, whatever the probe's length: noise).

When 50/s is sustained the rate steps up (100, 150 … per second) until a probe is not,
then tries once halfway back. When it is not, the rate is halved, then bisected twice.
The highest sustained rate is the figure; unless its probe had ``min_count`` activations
already, it is run again with that many, and that run's latencies are reported. A rate whose
longer run is not sustained is not the figure: the next lower sustained rate is tried the
same way (the steady run the search started from has enough activations already).
"""

import sys
from dataclasses import dataclass

from bench.activations import Run, Slot, drive, median_ms
from bench.backlog import BacklogWatch, settle
from bench.cpu import CpuShare
from bench.figures import percentile
from bench.http1 import Http1Client
from bench.receiver import Receiver
from bench.stack import Service

ACHIEVED_SHARE = 0.95
GROWTH_MS_PER_SECOND = 20.0  # a stack 2% short of the rate asked falls 20 ms behind a second
GROWTH_SLACK_MS = 50.0  # a difference this small is noise, however short the probe
PROBE_MIN = 100
BISECTIONS = 3  # below 50/s: 25, then 12.5 or 37.5, then once more


@dataclass(frozen=True)
class Step:
    run: Run

    @property
    def early_ms(self) -> float:
        """Median latency of the first third of the step."""
        samples = self.run.samples
        return median_ms(samples[: len(samples) // 3])

    @property
    def late_ms(self) -> float:
        """Median latency of the last third of the step."""
        samples = self.run.samples
        return median_ms(samples[-(len(samples) // 3) :])

    @property
    def kept_pace(self) -> bool:
        return self.run.rate_achieved >= ACHIEVED_SHARE * self.run.rate_asked

    @property
    def growth_ms_per_second(self) -> float:
        """How fast the delay grew: from the first third's median to the last third's,
        over the time between the thirds' middles (two thirds of the probe)."""
        samples = self.run.samples
        span = (samples[-1].sent - samples[0].sent) * 2 / 3
        return (self.late_ms - self.early_ms) / span if span > 0 else 0.0

    @property
    def delay_steady(self) -> bool:
        growth = self.late_ms - self.early_ms
        return growth <= GROWTH_SLACK_MS or self.growth_ms_per_second <= GROWTH_MS_PER_SECOND

    @property
    def sustained(self) -> bool:
        return self.kept_pace and self.delay_steady

    def describe(self) -> str:
        run = self.run
        return (
            f"{run.rate_asked:>6.0f}/s asked {run.rate_achieved:>7.1f}/s achieved "
            f"({len(run.samples)} activations)  p50 first third {self.early_ms:.1f} ms, "
            f"last third {self.late_ms:.1f} ms (+{self.growth_ms_per_second:.1f} ms/s), "
            f"p99 {percentile(run.latencies_ms(), 99):.1f} ms"
            f"  {'sustained' if self.sustained else 'NOT sustained'}"
        )


@dataclass(frozen=True)
class Search:
    steps: list[Step]
    best: Step | None  # at the highest rate sustained, with at least ``min_count`` samples


async def search(
    client: Http1Client,
    receiver: Receiver,
    slots: list[Slot],
    first: Step,
    service: Service,
    *,
    increment: float = 50.0,
    ceiling: float = 1000.0,
    seconds: float = 8.0,
    min_count: int = 1000,
) -> Search:
    """Probe rates around ``first`` (a step already run); see the module's docstring."""
    steps = [first]

    async def probe(rate: float, count: int) -> Step:
        await settle(service)
        cpu = CpuShare(service)
        async with BacklogWatch(service) as backlog:
            done = Step(await drive(client, receiver, slots, count, rate, backlog.mark))
        sys.stderr.write(
            f"  rate {done.describe()}\n    {cpu.describe()}\n    {backlog.describe()}\n"
        )
        steps.append(done)
        return done

    def short(rate: float) -> int:
        return max(PROBE_MIN, round(rate * seconds))

    if first.sustained:
        rate = first.run.rate_asked + increment
        while rate <= ceiling and (await probe(rate, short(rate))).sustained:
            rate += increment
        if rate <= ceiling:
            await probe(rate - increment / 2, short(rate - increment / 2))
    else:
        low, high = 0.0, first.run.rate_asked
        for _ in range(BISECTIONS):
            middle = (low + high) / 2
            if (await probe(middle, short(middle))).sustained:
                low = middle
            else:
                high = middle
    rates = sorted({step.run.rate_asked for step in steps if step.sustained}, reverse=True)
    for rate in rates:
        long_runs = [
            step
            for step in steps
            if step.run.rate_asked == rate and len(step.run.samples) >= min_count
        ]
        run = long_runs[-1] if long_runs else await probe(rate, min_count)
        if run.sustained:
            return Search(steps, run)
    return Search(steps, None)
