"""Litestar dependencies: the pool, the settings, the authenticated caller and its commands."""

from uuid import UUID

import asyncpg
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath

from planner.api.auth import Principal, authenticate, bearer_token, require_partner
from planner.api.commands import ActingPartner, Commands, Req
from planner.settings import Settings


async def provide_pool(state: State) -> asyncpg.Pool:
    pool: asyncpg.Pool = state.pool
    return pool


async def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


async def provide_principal(
    request: Req, pool: NamedDependency[asyncpg.Pool], settings: NamedDependency[Settings]
) -> Principal:
    return await authenticate(pool, bearer_token(request), settings.token_lifetime)


async def provide_commands(request: Req, pool: NamedDependency[asyncpg.Pool]) -> Commands:
    return Commands(request, pool)


async def provide_partner(
    plan_id: FromPath[UUID],
    principal: NamedDependency[Principal],
    pool: NamedDependency[asyncpg.Pool],
    commands: NamedDependency[Commands],
) -> ActingPartner:
    """The caller as a partner of the plan in the path: 404 without the plan, 403 if not one."""
    participant = await require_partner(pool, principal, plan_id)
    return ActingPartner(participant, plan_id, actor=principal.actor, commands=commands)


# What route handlers ask for, by name (Litestar 3 drops inferred dependencies).
PoolDep = NamedDependency[asyncpg.Pool]
SettingsDep = NamedDependency[Settings]
PrincipalDep = NamedDependency[Principal]
CommandsDep = NamedDependency[Commands]
PartnerDep = NamedDependency[ActingPartner]

DEPENDENCIES = {
    "pool": Provide(provide_pool),
    "settings": Provide(provide_settings),
    "principal": Provide(provide_principal),
    "commands": Provide(provide_commands),
    "partner": Provide(provide_partner),
}
