"""The highest activation rate the stack sustains without a growing backlog.

The rate steps up from the 50/s run (by default to 100, 150, 200 … per second), each step
sending, open loop, ``max(min_count, rate * seconds)`` activations. A step is
**sustained** when both hold:

- the achieved rate is at least 95% of the rate asked: the API kept up, and a free slot
  (plan and level) was there for every activation on schedule;
- the alert delay did not grow across the step: the median accepted → webhook latency of
  its last third is at most 1.5 times that of its first third, plus 10 ms. A stack that
  falls behind queues the excess, so each alert waits longer than the one before.

The search stops at the first step that is not sustained, tries once halfway between it
and the last sustained rate, and reports the highest sustained step: its rate and its
latencies (at least ``min_count`` activations).
"""

import asyncio
import sys
from dataclasses import dataclass

import httpx

from bench.activations import Run, Slot, drive, median_ms
from bench.backlog import BacklogWatch
from bench.cpu import CpuShare
from bench.figures import percentile
from bench.receiver import Receiver
from bench.stack import Service

ACHIEVED_SHARE = 0.95
GROWTH_FACTOR = 1.5
GROWTH_SLACK_MS = 10.0
PAUSE_SECONDS = 1.0  # between steps: the all-clears and delivery reports settle


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
    def delay_steady(self) -> bool:
        return self.late_ms <= GROWTH_FACTOR * self.early_ms + GROWTH_SLACK_MS

    @property
    def sustained(self) -> bool:
        return self.kept_pace and self.delay_steady

    def describe(self) -> str:
        run = self.run
        return (
            f"{run.rate_asked:>6.0f}/s asked {run.rate_achieved:>7.1f}/s achieved "
            f"({len(run.samples)} activations)  p50 first third {self.early_ms:.1f} ms, "
            f"last third {self.late_ms:.1f} ms, p99 {percentile(run.latencies_ms(), 99):.1f} ms"
            f"  {'sustained' if self.sustained else 'NOT sustained'}"
        )


@dataclass(frozen=True)
class Search:
    steps: list[Step]

    @property
    def best(self) -> Step | None:
        """The highest step sustained, if any was."""
        sustained = [step for step in self.steps if step.sustained]
        return max(sustained, key=lambda step: step.run.rate_asked, default=None)


async def search(
    client: httpx.AsyncClient,
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
    """Step the rate up from ``first`` (a step already run) until one is not sustained.

    Nothing more is tried when ``first`` is not sustained, or past ``ceiling`` (then the
    highest rate is a lower bound).
    """

    async def step(rate: float) -> Step:
        count = max(min_count, round(rate * seconds))
        cpu = CpuShare(service)
        async with BacklogWatch(service) as backlog:
            done = Step(await drive(client, receiver, slots, count, rate, backlog.mark))
        sys.stderr.write(
            f"  rate step {done.describe()}\n    {cpu.describe()}\n    {backlog.describe()}\n"
        )
        await asyncio.sleep(PAUSE_SECONDS)
        return done

    steps = [first]
    sustained = first.run.rate_asked
    while steps[-1].sustained:
        sustained = steps[-1].run.rate_asked
        if sustained + increment > ceiling:
            return Search(steps)
        steps.append(await step(sustained + increment))
    failed = steps[-1].run.rate_asked
    if len(steps) > 1 and failed - sustained >= increment / 2:
        steps.append(await step((sustained + failed) / 2))
    return Search(steps)
