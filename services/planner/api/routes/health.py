"""Liveness and readiness."""

from typing import TYPE_CHECKING

import asyncpg
import msgspec
from litestar import Response, get
from litestar.datastructures import State

from common.waiting import answers_within
from planner.api.deps import PoolDep, SettingsDep
from planner.relay import outbox
from planner.runtime.probes import database_ready, nats_ready
from planner.store.event_store import EventStoreError

if TYPE_CHECKING:
    from collections.abc import Awaitable

# /readyz answers within a second whatever the dependencies do (a load balancer's probe
# times out at one): the probes run together, and one not done by then says so.
READY_BUDGET_SECONDS = 0.8
NO_ANSWER = "no answer in time"

Probe = tuple[str | None, int | None]  # why not ready (None: ready), the outbox's depth


class Health(msgspec.Struct, frozen=True, kw_only=True):
    status: str


class Readiness(msgspec.Struct, frozen=True, kw_only=True):
    status: str  # ready | not_ready
    checks: dict[str, str]  # dependency → "ok" or why not
    relay: str | None = None  # active | standby | starting | stopped; None: not in this process
    outbox_pending: int | None = None  # events waiting for the relay


@get("/healthz", tags=["health"])
async def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@get("/readyz", tags=["health"])
async def readyz(pool: PoolDep, settings: SettingsDep, state: State) -> Response[Readiness]:
    """Each dependency answers: the database and, when configured, NATS. 503 otherwise,
    within a second even when one of them hangs.

    Also says whether this process's relay is the active one, and how many events wait
    for it (the outbox grows while NATS is away, and drains when it returns).
    """
    probes: dict[str, Awaitable[Probe]] = {"database": _database(pool)}
    if settings.nats_url:
        probes["nats"] = _nats(settings.nats_url)
    found = await answers_within(READY_BUDGET_SECONDS, probes, late=(NO_ANSWER, None))
    checks = {name: problem or "ok" for name, (problem, _) in found.items()}
    ready = all(problem is None for problem, _ in found.values())
    relay = getattr(state, "relay", None)
    body = Readiness(
        status="ready" if ready else "not_ready",
        checks=checks,
        relay=None if relay is None else relay.state.value,
        outbox_pending=found["database"][1],
    )
    return Response(body, status_code=200 if ready else 503)


async def _database(pool: asyncpg.Pool) -> Probe:
    problem = await database_ready(pool)
    return problem, None if problem is not None else await _outbox_depth(pool)


async def _nats(url: str) -> Probe:
    return await nats_ready(url), None


async def _outbox_depth(pool: asyncpg.Pool) -> int | None:
    try:
        return await outbox.depth(pool)
    except (EventStoreError, OSError):  # the database went away since it answered
        return None
