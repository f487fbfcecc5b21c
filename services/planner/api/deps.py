"""Litestar dependencies: the pool, the settings and the authenticated caller."""

from typing import Any

import asyncpg
from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from planner.api.auth import Principal, authenticate, bearer_token
from planner.settings import Settings


async def provide_pool(state: State) -> asyncpg.Pool:
    pool: asyncpg.Pool = state.pool
    return pool


async def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


async def provide_principal(
    request: Request[Any, Any, Any], pool: NamedDependency[asyncpg.Pool]
) -> Principal:
    return await authenticate(pool, bearer_token(request))


# What route handlers ask for, by name (Litestar 3 drops inferred dependencies).
PoolDep = NamedDependency[asyncpg.Pool]
SettingsDep = NamedDependency[Settings]
PrincipalDep = NamedDependency[Principal]

DEPENDENCIES = {
    "pool": Provide(provide_pool),
    "settings": Provide(provide_settings),
    "principal": Provide(provide_principal),
}
