"""A closed-loop HTTP/1.1 load generator, run as its own process so it never shares the
servers' event loop (wrk is not installed, and a fresh machine must not need apt).

    echo SPEC_JSON | .venv/bin/python -m bench.load     # prints a Result as JSON

Each of ``connections`` keep-alive connections sends one request, waits for its whole
response, and sends the next: prebuilt request bytes written by an ``asyncio.Protocol``
(no streams, no HTTP client library), the response read as status line, headers and a
``Content-Length`` body. After ``warm_up`` seconds, responses completed in the next
``duration`` seconds are counted and timed (from the request's write to the response's
last byte). A non-2xx answer or a dropped connection is an error: it stops that
connection and is reported; the caller treats any error as a failed run.

Kinds: ``get`` and ``post`` repeat one request. ``activation`` gives each connection its
own plan and loops: activate (kind ``activate``), then resolve that activation (kind
``resolve``); after the window a connection finishes its cycle, so no plan is left with
an open activation.
"""

import asyncio
import functools
import sys
import time
from typing import Literal

import msgspec

from bench.figures import percentile

DRAIN_TIMEOUT_SECONDS = 30.0
ERRORS_KEPT = 5


class Plan(msgspec.Struct, frozen=True):
    plan_id: str
    token: str  # the activating partner's bearer token


class Spec(msgspec.Struct, frozen=True, kw_only=True):
    host: str
    port: int
    kind: Literal["get", "post", "activation"]
    connections: int
    warm_up: float
    duration: float
    path: str = ""  # get, post
    body: str = ""  # post
    plans: list[Plan] = []  # activation: one per connection


class Latency(msgspec.Struct, frozen=True):
    p50: float  # ms
    p99: float
    max: float


class Result(msgspec.Struct, frozen=True, kw_only=True):
    seconds: float  # the measured window
    completed: dict[str, int]  # by kind, within the window
    latency_ms: dict[str, Latency]
    errors: int
    first_errors: list[str]
    cpu_seconds: float  # this process's user + system time over the window

    def rate(self, kind: str) -> float:
        return self.completed.get(kind, 0) / self.seconds

    def total_rate(self) -> float:
        return sum(self.completed.values()) / self.seconds


class _ActivationId(msgspec.Struct):
    activation_id: str


def request(spec: Spec, method: str, path: str, body: str = "", token: str = "") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {spec.host}:{spec.port}"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    if method == "POST":
        lines += ["Content-Type: application/json", f"Content-Length: {len(body.encode())}"]
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


class Script:
    """One connection's requests: the next one, and whether an answer was a success."""

    kind = "request"

    def __init__(self, payload: bytes) -> None:
        self.payload = payload

    def next(self) -> tuple[str, bytes]:
        return self.kind, self.payload

    def answered(self, status: int, body: bytes) -> bool:
        return 200 <= status < 300

    def unfinished(self) -> bool:
        return False


class Cycle(Script):
    """Activate the plan, resolve that activation, again."""

    def __init__(self, spec: Spec, plan: Plan) -> None:
        self.spec, self.plan = spec, plan
        base = f"/v1/plans/{plan.plan_id}/activations"
        super().__init__(request(spec, "POST", base, '{"level":"crisis"}', plan.token))
        self.resolve: bytes | None = None

    def next(self) -> tuple[str, bytes]:
        if self.resolve is None:
            return "activate", self.payload
        return "resolve", self.resolve

    def answered(self, status: int, body: bytes) -> bool:
        if self.resolve is None:
            if status != 201:
                return False
            activation_id = msgspec.json.decode(body, type=_ActivationId).activation_id
            path = f"/v1/plans/{self.plan.plan_id}/activations/{activation_id}/resolve"
            resolution = '{"outcome":"resolved"}'
            self.resolve = request(self.spec, "POST", path, resolution, self.plan.token)
            return True
        self.resolve = None
        return status == 200

    def unfinished(self) -> bool:
        return self.resolve is not None


class Window:
    """The measured interval and everything recorded in it, shared by all connections."""

    def __init__(self, start: float, warm_up: float, duration: float) -> None:
        self.begins = start + warm_up
        self.ends = self.begins + duration
        self.latencies: dict[str, list[float]] = {}
        self.errors: list[str] = []

    def record(self, kind: str, sent: float, done: float) -> None:
        if self.begins <= done <= self.ends:
            self.latencies.setdefault(kind, []).append((done - sent) * 1000)


class Connection(asyncio.Protocol):
    def __init__(self, window: Window, script: Script) -> None:
        self.window, self.script = window, script
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.kind, self.sent = "", 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)  # noqa: S101 - TCP
        self.transport = transport
        self._send()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        head_end = self.buffer.find(b"\r\n\r\n")
        if head_end < 0:
            return
        length = _content_length(bytes(self.buffer[:head_end]))
        if length is None:
            self._fail(f"{self.kind}: a response without Content-Length")
            return
        if len(self.buffer) < head_end + 4 + length:
            return
        body = bytes(self.buffer[head_end + 4 : head_end + 4 + length])
        status = int(self.buffer[9:12])
        del self.buffer[: head_end + 4 + length]
        self._answered(status, body)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self._fail(f"{self.kind}: connection lost ({exc!r})")

    def _answered(self, status: int, body: bytes) -> None:
        done = time.perf_counter()
        if not self.script.answered(status, body):
            self._fail(f"{self.kind}: {status} {body[:300]!r}")
            return
        self.window.record(self.kind, self.sent, done)
        if done < self.window.ends or self.script.unfinished():
            self._send()
        else:
            self._close()

    def _send(self) -> None:
        assert self.transport is not None  # noqa: S101 - connected
        self.kind, payload = self.script.next()
        self.sent = time.perf_counter()
        self.transport.write(payload)

    def _fail(self, error: str) -> None:
        self.window.errors.append(error)
        self._close()

    def _close(self) -> None:
        if not self.done.done():
            self.done.set_result(None)
        if self.transport is not None:
            self.transport.close()


def scripts(spec: Spec) -> list[Script]:
    if spec.kind == "activation":
        if len(spec.plans) < spec.connections:
            msg = f"{spec.connections} connections need as many plans, not {len(spec.plans)}"
            raise ValueError(msg)
        return [Cycle(spec, plan) for plan in spec.plans[: spec.connections]]
    method = spec.kind.upper()
    payload = request(spec, method, spec.path, spec.body)
    return [Script(payload) for _ in range(spec.connections)]


async def generate(spec: Spec) -> Result:
    loop = asyncio.get_running_loop()
    window = Window(time.perf_counter(), spec.warm_up, spec.duration)
    cpu: list[float] = []
    for at in (window.begins, window.ends):
        loop.call_later(at - time.perf_counter(), lambda: cpu.append(time.process_time()))
    connections = [Connection(window, script) for script in scripts(spec)]
    for connection in connections:
        await loop.create_connection(functools.partial(_same, connection), spec.host, spec.port)
    timeout = spec.warm_up + spec.duration + DRAIN_TIMEOUT_SECONDS
    await asyncio.wait_for(asyncio.gather(*(c.done for c in connections)), timeout)
    return Result(
        seconds=spec.duration,
        completed={kind: len(values) for kind, values in window.latencies.items()},
        latency_ms={kind: _summary(values) for kind, values in window.latencies.items()},
        errors=len(window.errors),
        first_errors=window.errors[:ERRORS_KEPT],
        cpu_seconds=cpu[1] - cpu[0] if len(cpu) == 2 else float("nan"),
    )


def _same(connection: Connection) -> Connection:
    return connection


def _content_length(head: bytes) -> int | None:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return None


def _summary(values: list[float]) -> Latency:
    if len(values) < 2:
        values = values * 2  # a single sample is its own percentiles
    return Latency(
        p50=round(percentile(values, 50), 3),
        p99=round(percentile(values, 99), 3),
        max=round(max(values), 3),
    )


async def run(spec: Spec) -> Result:
    """Run the generator in a child process; raise unless every answer was a success."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.load",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,  # a Ctrl-C reaches us, and we stop it
    )
    try:
        out, err = await child.communicate(msgspec.json.encode(spec))
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
    if child.returncode != 0:
        msg = f"load generator failed ({child.returncode}): {err.decode()[-2000:]}"
        raise RuntimeError(msg)
    result = msgspec.json.decode(out, type=Result)
    if result.errors:
        msg = f"{result.errors} failed requests ({spec.kind}), first: {result.first_errors}"
        raise RuntimeError(msg)
    return result


def main() -> None:
    spec = msgspec.json.decode(sys.stdin.buffer.read(), type=Spec)
    result = asyncio.run(generate(spec))
    sys.stdout.buffer.write(msgspec.json.encode(result) + b"\n")


if __name__ == "__main__":
    main()
