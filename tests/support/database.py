"""Test databases: a fresh one cloned from the migrated template, and one value read back."""

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg

from planner.runtime.embedded.postgres import EmbeddedPostgres, with_database
from planner.store.migrations import migrate


@contextlib.asynccontextmanager
async def fresh_database(
    database_url: str, template_database: str | None, prefix: str = "tandem_test"
) -> AsyncIterator[str]:
    """A new database cloned from ``template_database`` (None: empty), dropped when the block ends."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    template = "" if template_database is None else f' TEMPLATE "{template_database}"'
    admin = await asyncpg.connect(database_url)
    try:
        # Identifiers cannot be parameters; the names here are made by this module.
        await admin.execute(f'CREATE DATABASE "{name}"{template}')
        yield with_database(database_url, name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def value_of(db_url: str, query: str, *args: object) -> Any:
    """The first column of the first row of ``query`` (None when there is no row)."""
    conn = await asyncpg.connect(db_url)
    try:
        return await conn.fetchval(query, *args)
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def own_postgres(folder: Path) -> AsyncIterator[EmbeddedPostgres]:
    """A migrated PostgreSQL of one test's own, to stop and start (the session's stays up)."""
    server = EmbeddedPostgres(folder)
    dsn = await asyncio.to_thread(server.start)
    try:
        conn = await asyncpg.connect(dsn)
        try:
            await migrate(conn)
        finally:
            await conn.close()
        yield server
    finally:
        await asyncio.to_thread(server.stop)
