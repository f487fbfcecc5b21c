"""Readiness probes for the planner's dependencies.

Each answers None when its dependency is fine, else why not. They carry no timeout of
their own: ``/readyz`` runs them together under one budget (common.waiting.answers_within).
"""

import asyncio
from urllib.parse import urlsplit

import asyncpg

NATS_DEFAULT_PORT = 4222


async def database_ready(pool: asyncpg.Pool) -> str | None:
    """None when the database answers; otherwise why not (never the URL: it may hold secrets)."""
    try:
        await pool.fetchval("SELECT 1")
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        return type(exc).__name__
    return None


async def nats_ready(url: str) -> str | None:
    """None when a NATS server greets us with INFO at ``url``; otherwise why not."""
    parts = urlsplit(url.split(",", maxsplit=1)[0])
    host, port = parts.hostname or "127.0.0.1", parts.port or NATS_DEFAULT_PORT
    try:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            greeting = await reader.readline()
        finally:
            writer.close()
    except OSError as exc:
        return type(exc).__name__
    return None if greeting.startswith(b"INFO") else "unexpected greeting"
