"""HTTP command throughput and latency, beside the HTTP write floor and the /healthz ceiling.

    .venv/bin/python -m bench.http_throughput [--rounds 3] [--duration 3] [--quick]

Runs `tandem dev` as `make run` does (embedded PostgreSQL and nats-server, the planner
under uvicorn with one worker, the notifier as its own process) in a temporary folder, and
sets up plans whose support contact has a webhook at a loopback receiver in this process,
so the notifier delivers every alert while the load runs. Beside it, on the same
PostgreSQL server, ``bench.insert_app``: the same uvicorn configuration serving a bare
ASGI endpoint that does one asyncpg INSERT of an event row per request (the floor).

For 16 and 64 concurrent clients, in rounds that alternate the order, ``bench.load`` (a
separate process: raw keep-alive HTTP/1.1 on asyncio protocols) measures:

- activations: each client on its own plan, activate then resolve, again (both timed);
- insert floor: ``POST /floor`` on the insert app;
- healthz: ``GET /healthz`` on the planner, the ceiling of server and generator together.

After each side the run waits until the stack is quiet (outbox drained, no new event or
webhook for a while), so no side pays for the alerts and delivery reports another left
behind; how long that takes after activations is a figure of its own. The 16- and
64-client cases use separate plans, so each starts from fresh streams. Once, at the end,
the generator's own ceiling: the bare app's ``GET /healthz`` (no framework, no database).
"""

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import msgspec

from bench import insert_app, load
from bench.figures import Figure, alternating, figure, ratio, table
from bench.memory import notifier_pid, peak_rss_mb, planner_pid
from bench.plans import BenchPlan, many_plans
from bench.receiver import Receiver
from bench.stack import Service, tandem_dev
from planner.relay import outbox

ROUNDS = 3
WARM_UP_SECONDS = 1.0
DURATION_SECONDS = 3.0
CLIENTS = (16, 64)
QUICK = (1, 2.0)  # rounds, seconds per side: a smoke run, its figures not comparable
SETTLE_TIMEOUT_SECONDS = 60.0
QUIET_POLL_SECONDS = 0.2
QUIET_POLLS = 3
FLOOR_BODY = '{"level":"crisis"}'  # as large as an activation's

LAST_ACTIVATION_ROW = """
SELECT schema_version, payload::text AS payload, metadata::text AS metadata, hash
FROM events WHERE event_type = 'plan.activated' ORDER BY position DESC LIMIT 1
"""
LAST_POSITION = "SELECT coalesce(max(position), 0) FROM events"
STREAM_LENGTHS = """
SELECT max(stream_version) AS length FROM events WHERE stream_id = ANY($1::uuid[])
GROUP BY stream_id
"""


@dataclass(frozen=True)
class Setup:
    planner_port: int
    floor_port: int
    plans: dict[int, list[load.Plan]]  # by client count
    warm_up: float
    duration: float
    settled: "Settled"


@dataclass(frozen=True)
class Settled:
    """Whether the stack has finished the work a side left behind: the relay's outbox
    empty, and no new event stored nor webhook received for a while. Every side starts
    on a quiet stack, so none pays for alerts and reports still flowing from the last."""

    conn: asyncpg.Connection
    receiver: Receiver

    async def wait(self) -> float:
        """Seconds until the last sign of work, once the stack is quiet."""
        started = time.monotonic()
        last_change, seen, quiet_polls = started, None, 0
        while quiet_polls < QUIET_POLLS:
            if time.monotonic() - started > SETTLE_TIMEOUT_SECONDS:
                raise RuntimeError(f"the stack kept working for {SETTLE_TIMEOUT_SECONDS:.0f} s")
            await asyncio.sleep(QUIET_POLL_SECONDS)
            now = (await self.conn.fetchval(LAST_POSITION), len(self.receiver.arrivals))
            if now != seen or await outbox.depth(self.conn):
                last_change, seen, quiet_polls = time.monotonic(), now, 0
            else:
                quiet_polls += 1
        return last_change - started


async def collect(
    rounds: int = ROUNDS,
    duration: float = DURATION_SECONDS,
    warm_up: float = WARM_UP_SECONDS,
    clients: tuple[int, ...] = CLIENTS,
) -> list[Figure]:
    """Every figure of this benchmark, from one `tandem dev` started and stopped here."""
    receiver = Receiver()
    await receiver.start()
    try:
        with tandem_dev() as service:
            plans = await _plans(service, receiver, clients)
            figures = await _measure(service, receiver, plans, rounds, duration, warm_up)
            for name, pid_of in (("planner", planner_pid), ("notifier", notifier_pid)):
                peak = peak_rss_mb(pid_of(service))
                figures.append(figure(f"peak RSS {name} (http)", "MiB", [peak]))
    finally:
        await receiver.stop()
    return figures


async def suite_part(quick: bool) -> list[Figure]:
    """This part of `make bench` (``bench.suite``)."""
    return await collect(*QUICK) if quick else await collect()


async def _measure(
    service: Service,
    receiver: Receiver,
    plans: dict[int, list[load.Plan]],
    rounds: int,
    duration: float,
    warm_up: float,
) -> list[Figure]:
    database_url = _database_url(service)
    conn = await asyncpg.connect(database_url)
    try:
        settled = Settled(conn, receiver)
        row = await _activation_row(service, plans, conn)
        await settled.wait()
        async with insert_app.serving(service.home, database_url, row) as floor_port:
            setup = Setup(
                planner_port=_port(service.base_url),
                floor_port=floor_port,
                plans=plans,
                warm_up=warm_up,
                duration=duration,
                settled=settled,
            )
            figures = [f for n in plans for f in await _compare(setup, n, rounds)]
            figures += await _generator_ceiling(floor_port)
        return [*figures, await _stream_lengths(conn, plans)]
    finally:
        await conn.close()


async def _compare(setup: Setup, clients: int, rounds: int) -> list[Figure]:
    """The three sides for ``clients`` concurrent clients, in alternating rounds."""
    base = load.Spec(
        host="127.0.0.1",
        port=setup.planner_port,
        kind="get",
        connections=clients,
        warm_up=setup.warm_up,
        duration=setup.duration,
    )
    replace = msgspec.structs.replace
    sides = {
        "activations": ("activate", replace(base, kind="activation", plans=setup.plans[clients])),
        "insert floor": (
            "request",
            replace(base, port=setup.floor_port, kind="post", path="/floor", body=FLOOR_BODY),
        ),
        "healthz": ("request", replace(base, path="/healthz")),
    }
    results: dict[str, list[load.Result]] = {name: [] for name in sides}
    settling: dict[str, list[float]] = {name: [] for name in sides}

    def side(name: str) -> Callable[[], Awaitable[float]]:
        kind, spec = sides[name]

        async def measure() -> float:
            result = await load.run(spec)
            results[name].append(result)
            settling[name].append(await setup.settled.wait())
            return result.rate(kind)

        return measure

    rates = await alternating(rounds, {name: side(name) for name in sides})
    prefix = f"http {clients} clients"
    after = figure(f"{prefix}: settling after activations", "s", settling["activations"], 2)
    return [*_figures(prefix, rates, results), after]


def _figures(
    prefix: str, rates: dict[str, list[float]], results: dict[str, list[load.Result]]
) -> list[Figure]:
    def latency(side: str, kind: str, label: str) -> list[Figure]:
        return [
            figure(
                f"{prefix}: {label} {p}",
                "ms",
                [getattr(r.latency_ms[kind], p) for r in results[side]],
                digits=2,
            )
            for p in ("p50", "p99")
        ]

    def cpu(side: str) -> Figure:
        shares = [100 * r.cpu_seconds / r.seconds for r in results[side]]
        return figure(f"{prefix}: load generator CPU ({side})", "% of a core", shares)

    commands = [r.total_rate() for r in results["activations"]]
    return [
        figure(f"{prefix}: activations", "requests/s", rates["activations"]),
        figure(f"{prefix}: insert floor", "requests/s", rates["insert floor"]),
        figure(f"{prefix}: healthz", "requests/s", rates["healthz"]),
        ratio(f"{prefix}: activations/insert floor", rates["activations"], rates["insert floor"]),
        figure(f"{prefix}: activations + resolves", "requests/s", commands),
        ratio(f"{prefix}: activations + resolves/insert floor", commands, rates["insert floor"]),
        *latency("activations", "activate", "activation"),
        *latency("activations", "resolve", "resolve"),
        *latency("insert floor", "request", "insert floor"),
        cpu("activations"),
        cpu("healthz"),
    ]


async def _generator_ceiling(port: int) -> list[Figure]:
    """What the load generator reaches against the cheapest answer there is: the bare
    app's ``GET /healthz`` (no framework, no database), with the most clients."""
    spec = load.Spec(
        host="127.0.0.1",
        port=port,
        kind="get",
        path="/healthz",
        connections=max(CLIENTS),
        warm_up=0.5,
        duration=2.0,
    )
    result = await load.run(spec)
    name = f"http load generator ceiling (bare /healthz, {spec.connections} clients)"
    return [
        figure(name, "requests/s", [result.total_rate()]),
        figure(f"{name}: its CPU", "% of a core", [100 * result.cpu_seconds / result.seconds]),
    ]


async def _plans(
    service: Service, receiver: Receiver, clients: tuple[int, ...]
) -> dict[int, list[load.Plan]]:
    """Plans of their own for each client count, their contacts' consent delivered."""
    async with httpx.AsyncClient(base_url=service.base_url, timeout=60) as client:
        made = await many_plans(client, receiver, sum(clients))
    await _until(lambda: receiver.count("tandem.consent_request") >= len(made))
    plans, start = {}, 0
    for count in clients:
        plans[count] = [_load_plan(plan) for plan in made[start : start + count]]
        start += count
    return plans


def _load_plan(plan: BenchPlan) -> load.Plan:
    return load.Plan(plan.plan_id, plan.auth["Authorization"].removeprefix("Bearer "))


def _database_url(service: Service) -> str:
    """`tandem db url` with the same TANDEM_HOME: the embedded server `tandem dev` runs."""
    tandem = Path(sys.executable).with_name("tandem")
    env = {**os.environ, "TANDEM_HOME": str(service.home)}
    env.pop("TANDEM_DATABASE_URL", None)
    done = subprocess.run(  # noqa: S603 - our own console script
        [str(tandem), "db", "url"], env=env, capture_output=True, check=True, text=True
    )
    return done.stdout.strip()


async def _activation_row(
    service: Service, plans: dict[int, list[load.Plan]], conn: asyncpg.Connection
) -> insert_app.Row:
    """Warm the planner up with a second of activations on every plan, and return one
    of the ``plan.activated`` rows they stored, for the floor to copy."""
    every = [plan for group in plans.values() for plan in group]
    spec = load.Spec(
        host="127.0.0.1",
        port=_port(service.base_url),
        kind="activation",
        plans=every,
        connections=len(every),
        warm_up=0.0,
        duration=1.0,
    )
    await load.run(spec)
    row = await conn.fetchrow(LAST_ACTIVATION_ROW)
    if row is None:
        raise RuntimeError("no activation was stored")
    return insert_app.Row(row["schema_version"], row["payload"], row["metadata"], row["hash"])


async def _stream_lengths(conn: asyncpg.Connection, plans: dict[int, list[load.Plan]]) -> Figure:
    ids = [plan.plan_id for group in plans.values() for plan in group]
    lengths = [float(row["length"]) for row in await conn.fetch(STREAM_LENGTHS, ids)]
    return figure("http plan stream length at end (over plans)", "events", lengths, digits=0)


def _port(base_url: str) -> int:
    return int(base_url.rsplit(":", 1)[1])


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
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--duration", type=float, default=DURATION_SECONDS, help="per side")
    parser.add_argument("--warm-up", type=float, default=WARM_UP_SECONDS, help="per side")
    parser.add_argument(
        "--quick", action="store_true", help="one round of 2 s per side (a smoke run)"
    )
    args = parser.parse_args(argv)
    rounds, duration = QUICK if args.quick else (args.rounds, args.duration)
    # A kill stops the run the way Ctrl-C does: every server started here is stopped.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    started = time.monotonic()
    try:
        figures = asyncio.run(collect(rounds, duration, args.warm_up))
    except KeyboardInterrupt:
        sys.exit("interrupted: every server this run started is stopped")
    print(table(figures))
    print(f"({time.monotonic() - started:.0f} s)")
    print(msgspec.json.encode(figures).decode())


if __name__ == "__main__":
    main()
