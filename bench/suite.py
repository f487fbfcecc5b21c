"""`make bench`: every benchmark in one run; the table printed, the results written.

    .venv/bin/python -m bench [--quick] [--results bench/results]

Runs append, replay, HTTP, alert-latency and page benchmarks in turn (each starts its own
embedded PostgreSQL and, where it needs one, nats-server), prints every figure and the
targets of issue 5, and writes ``latest.json`` and ``latest.md`` into the results folder.
``--quick`` runs each part small, to try the suite out; its figures are not comparable.
"""

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import msgspec

from bench import alert_latency, append, http_throughput, pages, replay_rate
from bench.figures import Figure, table
from bench.report import Machine, Results, markdown, summarise

RESULTS = Path(__file__).with_name("results")

Part = Callable[[bool], Awaitable[list[Figure]]]
PARTS: list[tuple[str, Part]] = [
    ("append throughput", append.suite_part),
    ("replay rate", replay_rate.suite_part),
    ("HTTP command throughput", http_throughput.suite_part),
    ("alert latency and memory", alert_latency.suite_part),
    ("pages for people", pages.suite_part),
]


async def run(quick: bool) -> list[Figure]:
    figures: list[Figure] = []
    for title, part in PARTS:
        started = time.monotonic()
        print(f"== {title} ...", flush=True)
        measured = await part(quick)
        print(table(measured), flush=True)
        print(f"   ({time.monotonic() - started:.0f} s)\n", flush=True)
        figures += measured
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="small runs, to try it out")
    parser.add_argument("--results", type=Path, default=RESULTS, help="folder for the results")
    args = parser.parse_args(argv)
    started = time.monotonic()
    when = datetime.now(UTC)
    figures = asyncio.run(run(args.quick))
    results: Results = summarise(
        figures,
        machine=Machine.here(),
        measured_at=when,
        duration_seconds=round(time.monotonic() - started),
        quick=args.quick,
    )
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "latest.json").write_bytes(msgspec.json.format(msgspec.json.encode(results)))
    report = markdown(results)
    (args.results / "latest.md").write_text(report)
    print(report)
    print(f"written: {args.results / 'latest.json'} and {args.results / 'latest.md'}")
    missed = [target for target in results.targets if not target.met]
    if missed:
        print(f"{len(missed)} of {len(results.targets)} targets missed: see above")
