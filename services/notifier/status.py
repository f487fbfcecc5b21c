"""The notifier's own small HTTP server: ``/healthz``, ``/readyz`` and ``/metrics``.

A Litestar app served by uvicorn inside the notifier's event loop, on loopback by default.
It starts before the notifier reaches its dependencies, so ``/readyz`` can say which one
it is still waiting for.
"""

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import msgspec
import nats.errors
import uvicorn
from litestar import Litestar, Request, Response, get
from litestar.datastructures import State
from litestar.plugins.prometheus import PrometheusController
from nats.js.errors import NotFoundError

from common.waiting import STOP_TIMEOUT_SECONDS, Faults, answers_within
from contracts.subjects import PLAN_STREAM
from notifier.ledger.sessions import DATABASE_ERRORS
from notifier.metrics import CONSUMER_ACK_PENDING, CONSUMER_PENDING, CONSUMER_REDELIVERED
from notifier.settings import NotifierSettings

if TYPE_CHECKING:
    import asyncpg
    from nats.aio.client import Client

PROBE_TIMEOUT_SECONDS = 2.0  # each probe's own bound (a metrics scrape waits for it)
# /readyz answers within a second whatever the dependencies do: its probes run together,
# and one not done by then says so.
READY_BUDGET_SECONDS = 0.8
NO_ANSWER = "no answer in time"


class Dependencies:
    """What the notifier holds, set as it comes up: the status server only reads it."""

    def __init__(self, settings: NotifierSettings) -> None:
        self.settings = settings
        self.pool: asyncpg.Pool | None = None
        self.nats: Client | None = None
        self.consumer_bound = False
        self.faults = Faults()  # the loops backing off after a failure, each with its error


class ConsumerStatus(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    pending: int  # in the stream, not yet delivered to us
    ack_pending: int  # delivered, not yet acknowledged
    redelivered: int


class Readiness(msgspec.Struct, frozen=True, kw_only=True):
    status: str  # ready | not_ready
    checks: dict[str, str]  # database, nats, consumer, loops → "ok" or why not
    consumer: ConsumerStatus | None = None


async def database_check(deps: Dependencies) -> str:
    if deps.pool is None:
        return "not connected yet"
    try:
        async with asyncio.timeout(PROBE_TIMEOUT_SECONDS):
            await deps.pool.fetchval("SELECT 1")
    except DATABASE_ERRORS as exc:
        return type(exc).__name__
    return "ok"


def nats_check(deps: Dependencies) -> str:
    if deps.nats is None:
        return "not connected yet"
    return "ok" if deps.nats.is_connected else "reconnecting"


async def consumer_status(deps: Dependencies) -> ConsumerStatus | str:
    """The durable consumer's counts from the server, or why they cannot be had."""
    if deps.nats is None or not deps.consumer_bound:
        return "not bound yet"
    name = deps.settings.consumer_name
    try:
        info = await deps.nats.jsm().consumer_info(PLAN_STREAM, name, timeout=PROBE_TIMEOUT_SECONDS)
    except (NotFoundError, nats.errors.Error, TimeoutError) as exc:
        return type(exc).__name__
    return ConsumerStatus(
        name=name,
        pending=info.num_pending or 0,
        ack_pending=info.num_ack_pending or 0,
        redelivered=info.num_redelivered or 0,
    )


def loops_check(deps: Dependencies) -> str:
    """``ok``, or each loop backing off after a failure with its error (``chores: OSError``)."""
    failing = deps.faults.failing
    return ", ".join(f"{loop}: {error}" for loop, error in sorted(failing.items())) or "ok"


@get("/healthz", sync_to_thread=False)
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@get("/readyz")
async def readyz(state: State) -> Response[Readiness]:
    """Database, NATS, the durable consumer and the loops, each; 503 unless all are fine,
    within a second even when one of them hangs."""
    deps: Dependencies = state.deps
    probes = {"database": database_check(deps), "consumer": consumer_status(deps)}
    found = await answers_within(READY_BUDGET_SECONDS, probes, late=NO_ANSWER)
    consumer = found["consumer"]
    checks = {
        "database": str(found["database"]),
        "nats": nats_check(deps),
        "consumer": consumer if isinstance(consumer, str) else "ok",
        "loops": loops_check(deps),
    }
    ready = all(check == "ok" for check in checks.values())
    body = Readiness(
        status="ready" if ready else "not_ready",
        checks=checks,
        consumer=None if isinstance(consumer, str) else consumer,
    )
    return Response(body, status_code=200 if ready else 503)


async def _refresh_consumer_gauges(request: Request[Any, Any, Any]) -> None:
    """The consumer's counts, asked of the server once per scrape."""
    consumer = await consumer_status(request.app.state.deps)
    if isinstance(consumer, ConsumerStatus):
        CONSUMER_PENDING.set(consumer.pending)
        CONSUMER_ACK_PENDING.set(consumer.ack_pending)
        CONSUMER_REDELIVERED.set(consumer.redelivered)


class MetricsController(PrometheusController):
    path = "/metrics"
    before_request = staticmethod(_refresh_consumer_gauges)


def create_status_app(deps: Dependencies) -> Litestar:
    return Litestar(
        route_handlers=[healthz, readyz, MetricsController],
        state=State({"deps": deps}),
        openapi_config=None,
        logging_config=None,  # the process configured logging (common.logs): keep it
    )


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # The notifier owns SIGINT and SIGTERM (they set its stop event); uvicorn must not
        # take them over, nor raise them again when it stops.
        yield


@contextlib.asynccontextmanager
async def serving(deps: Dependencies) -> AsyncIterator[str]:
    """Serve the status app for the duration of the block; yields its base URL.

    The socket is bound here, before serving, so the port (0: a free one) is known at once
    and a port in use fails the start instead of going unnoticed.
    """
    settings = deps.settings
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((settings.status_host, settings.status_port))
    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(
        create_status_app(deps),
        log_config=None,  # our root handler renders uvicorn's lines too
        log_level="warning",
        access_log=False,
        lifespan="off",
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name="notifier-status")
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        try:
            await asyncio.wait_for(task, STOP_TIMEOUT_SECONDS)
        finally:
            sock.close()
