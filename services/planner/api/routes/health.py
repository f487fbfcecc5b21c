"""Liveness and readiness."""

import asyncpg
import msgspec
from litestar import Response, get
from litestar.datastructures import State

from planner.api.deps import PoolDep, SettingsDep
from planner.relay import outbox
from planner.runtime.probes import database_ready, nats_ready
from planner.store.event_store import EventStoreError


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
    """Each dependency answers: the database and, when configured, NATS. 503 otherwise.

    Also says whether this process's relay is the active one, and how many events wait
    for it (the outbox grows while NATS is away, and drains when it returns).
    """
    problems = {"database": await database_ready(pool)}
    if settings.nats_url:
        problems["nats"] = await nats_ready(settings.nats_url)
    checks = {name: problem or "ok" for name, problem in problems.items()}
    ready = all(problem is None for problem in problems.values())
    relay = getattr(state, "relay", None)
    body = Readiness(
        status="ready" if ready else "not_ready",
        checks=checks,
        relay=None if relay is None else relay.state.value,
        outbox_pending=await _outbox_depth(pool) if problems["database"] is None else None,
    )
    return Response(body, status_code=200 if ready else 503)


async def _outbox_depth(pool: asyncpg.Pool) -> int | None:
    try:
        return await outbox.depth(pool)
    except EventStoreError:
        return None
