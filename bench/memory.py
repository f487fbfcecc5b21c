"""Resident memory of the service's processes, read from /proc (Linux).

``VmHWM`` is the kernel's own high-water mark of a process's resident set, so the peak is
exact however briefly it was reached, without sampling.
"""

from pathlib import Path

from bench.stack import Service

MB = 1024 * 1024


def peak_rss_mb(pid: int) -> float:
    """The highest resident set size process ``pid`` has had so far, in MiB."""
    return _status_kib(pid, "VmHWM") * 1024 / MB


def rss_mb(pid: int) -> float:
    """The resident set size of process ``pid`` now, in MiB."""
    return _status_kib(pid, "VmRSS") * 1024 / MB


def planner_pid(service: Service) -> int:
    """`tandem dev` serves the planner (API and relay) in its own process."""
    return service.process.pid


def notifier_pid(service: Service) -> int:
    """The notifier: the child of `tandem dev` running ``python -m notifier``."""
    for pid in _children(service.process.pid):
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        if b"-m" in command and b"notifier" in command:
            return pid
    msg = "no notifier process under tandem dev"
    raise LookupError(msg)


def _children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    found: list[int] = []
    for task in tasks.iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    msg = f"/proc/{pid}/status has no {field}"
    raise LookupError(msg)
