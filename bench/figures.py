"""Figures every benchmark reports: a median over rounds with min and max, and ratios.

A comparison measures both sides in the same run, in rounds that alternate which side goes
first (``alternating``), and its ratio is taken per round before the median, so a noisy
shared machine slows both sides of one round alike.
"""

import statistics
from collections.abc import Awaitable, Callable, Sequence

import msgspec


class Figure(msgspec.Struct, frozen=True):
    name: str
    unit: str
    median: float
    min: float
    max: float


def figure(name: str, unit: str, values: Sequence[float], digits: int = 1) -> Figure:
    """The median, min and max of ``values`` (one per round)."""
    if not values:
        msg = f"no values for {name}"
        raise ValueError(msg)
    return Figure(
        name,
        unit,
        round(statistics.median(values), digits),
        round(min(values), digits),
        round(max(values), digits),
    )


def ratio(name: str, numerators: Sequence[float], denominators: Sequence[float]) -> Figure:
    """Round-by-round ratios of two sides measured in the same rounds."""
    ratios = [n / d for n, d in zip(numerators, denominators, strict=True)]
    return figure(name, "ratio", ratios, digits=3)


def over_rounds(rounds: Sequence[Sequence[Figure]]) -> list[Figure]:
    """One figure per name: the median, min and max of each round's own figure."""
    names = [f.name for f in rounds[0]]
    values = {name: [f.median for r in rounds for f in r if f.name == name] for name in names}
    units = {f.name: f.unit for f in rounds[0]}
    return [figure(name, units[name], values[name], digits=2) for name in names]


def percentile(values: Sequence[float], percent: int) -> float:
    """The inclusive ``percent``-th percentile (``percent`` in 1..99)."""
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


async def alternating(
    rounds: int, sides: dict[str, Callable[[], Awaitable[float]]]
) -> dict[str, list[float]]:
    """Run each side once per round, reversing the order every other round."""
    results: dict[str, list[float]] = {name: [] for name in sides}
    order = list(sides.items())
    for number in range(rounds):
        for name, measure in order if number % 2 == 0 else order[::-1]:
            results[name].append(await measure())
    return results


def table(figures: Sequence[Figure]) -> str:
    """The figures as an aligned plain-text table."""
    width = max([len("figure"), *(len(f.name) for f in figures)]) + 2
    lines = [f"{'figure':<{width}}{'median':>12}{'min':>12}{'max':>12}  unit"]
    lines += [
        f"{f.name:<{width}}{number(f.median):>12}{number(f.min):>12}{number(f.max):>12}  {f.unit}"
        for f in figures
    ]
    return "\n".join(lines)


def number(value: float) -> str:
    """A figure as the tables print it: thousands grouped and whole from 1,000 on."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"
