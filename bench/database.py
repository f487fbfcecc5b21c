"""A throwaway embedded PostgreSQL (durable settings, as shipped) with a migrated database."""

import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg

from planner.runtime.embedded.postgres import EmbeddedPostgres, ensure_database
from planner.store import migrations


@contextlib.asynccontextmanager
async def migrated_database(name: str) -> AsyncIterator[str]:
    """The URL of database ``name``, migrated, on a server stopped and deleted on exit."""
    with tempfile.TemporaryDirectory(prefix="tandem-bench-pg-") as folder:
        server = EmbeddedPostgres(Path(folder) / "pgdata")
        dsn = await asyncio.to_thread(server.start)
        try:
            url = await ensure_database(dsn, name)
            conn = await asyncpg.connect(url)
            try:
                await migrations.migrate(conn)
            finally:
                await conn.close()
            yield url
        finally:
            await asyncio.to_thread(server.stop)
