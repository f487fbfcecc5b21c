"""CPU time of the service's processes over a stretch of a benchmark, read from /proc.

Counted apart: the planner (`tandem dev`: API and relay), the notifier, PostgreSQL (the
postmaster of `tandem dev`'s data folder and all its children), nats-server, and this
process (the load generator and webhook receiver); and ``others``, the rest of what the
machine's cores were busy with (on a shared machine, other work competing for them).
"""

import os
import time
from pathlib import Path

from bench.memory import notifier_pid, planner_pid
from bench.stack import Service

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(service: Service) -> dict[str, float]:
    """CPU seconds used so far by each part of the stack, and ``bench`` for this process."""
    postmaster = int((service.home / "postgres" / "postmaster.pid").read_text().split()[0])
    nats = int((service.home / "nats" / "nats-server.pid").read_text().strip())
    roles = {
        planner_pid(service): "planner",
        notifier_pid(service): "notifier",
        postmaster: "postgres",
        nats: "nats-server",
        os.getpid(): "bench",
    }
    used: dict[str, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # it ended meanwhile
            continue
        parent, ticks = int(fields[1]), int(fields[11]) + int(fields[12])
        role = roles.get(int(entry.name)) or ("postgres" if parent == postmaster else None)
        if role is not None:
            used[role] = used.get(role, 0.0) + ticks / TICKS
    return used


def machine_busy_seconds() -> float:
    """CPU seconds all cores of the machine spent busy since boot (not idle nor waiting)."""
    counters = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = counters[3] + counters[4]  # idle, iowait
    return (sum(counters[:8]) - idle) / TICKS


class CpuShare:
    """The share of one core each part used from its creation to ``describe()``."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.started = time.monotonic()
        self.before = cpu_seconds(service)
        self.machine_before = machine_busy_seconds()

    def describe(self) -> str:
        elapsed = time.monotonic() - self.started
        now = cpu_seconds(self.service)
        used = {name: now[name] - self.before.get(name, 0.0) for name in now}
        used["others"] = machine_busy_seconds() - self.machine_before - sum(used.values())
        parts = sorted(used.items(), key=lambda item: -item[1])
        return "CPU (share of one core): " + ", ".join(
            f"{name} {seconds / elapsed:.0%}" for name, seconds in parts if seconds > 0
        )
