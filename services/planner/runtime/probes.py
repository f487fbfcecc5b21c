"""Readiness probes for the planner's dependencies, each bounded by a timeout."""

import asyncio
from urllib.parse import urlsplit

import asyncpg

PROBE_TIMEOUT = 2.0
NATS_DEFAULT_PORT = 4222


async def database_ready(pool: asyncpg.Pool) -> str | None:
    """None when the database answers; otherwise why not (never the URL: it may hold secrets)."""
    try:
        async with asyncio.timeout(PROBE_TIMEOUT):
            await pool.fetchval("SELECT 1")
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        return type(exc).__name__
    return None


async def nats_ready(url: str) -> str | None:
    """None when a NATS server greets us with INFO at ``url``; otherwise why not."""
    parts = urlsplit(url.split(",", maxsplit=1)[0])
    host, port = parts.hostname or "127.0.0.1", parts.port or NATS_DEFAULT_PORT
    try:
        async with asyncio.timeout(PROBE_TIMEOUT):
            reader, writer = await asyncio.open_connection(host, port)
            greeting = await reader.readline()
            writer.close()
            await writer.wait_closed()
    except (OSError, TimeoutError) as exc:
        return type(exc).__name__
    return None if greeting.startswith(b"INFO") else "unexpected greeting"
