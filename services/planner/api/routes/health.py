"""Liveness and readiness."""

import msgspec
from litestar import Response, get

from planner.api.deps import PoolDep, SettingsDep
from planner.probes import database_ready, nats_ready


class Health(msgspec.Struct, frozen=True, kw_only=True):
    status: str


class Readiness(msgspec.Struct, frozen=True, kw_only=True):
    status: str  # ready | not_ready
    checks: dict[str, str]  # dependency → "ok" or why not


@get("/healthz", tags=["health"])
async def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@get("/readyz", tags=["health"])
async def readyz(pool: PoolDep, settings: SettingsDep) -> Response[Readiness]:
    """Each dependency answers: the database and, when configured, NATS. 503 otherwise."""
    problems = {"database": await database_ready(pool)}
    if settings.nats_url:
        problems["nats"] = await nats_ready(settings.nats_url)
    checks = {name: problem or "ok" for name, problem in problems.items()}
    ready = all(problem is None for problem in problems.values())
    body = Readiness(status="ready" if ready else "not_ready", checks=checks)
    return Response(body, status_code=200 if ready else 503)
