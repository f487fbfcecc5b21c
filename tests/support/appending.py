"""Appending to the event store both ways: in the caller's transaction, and on its own."""

from typing import Protocol
from uuid import UUID

import asyncpg

from contracts.envelope import Metadata
from planner.store.appending import append
from planner.store.event_store import AppendResult, Expected, NewEvent
from tests.support.builders import CHAIN_KEY

MODES = ["in-transaction", "one-statement"]  # as commands append, and as one statement


class Appender(Protocol):
    async def __call__(
        self, stream: UUID, events: list[NewEvent], expected: Expected = "any"
    ) -> AppendResult: ...


def appender(pool: asyncpg.Pool, mode: str, metadata: Metadata) -> Appender:
    """Appends through ``pool`` in ``mode`` (one of ``MODES``), under ``metadata``."""

    async def append_to(
        stream: UUID, events: list[NewEvent], expected: Expected = "any"
    ) -> AppendResult:
        async with pool.acquire() as conn:
            if mode == "one-statement":
                return await append(conn, stream, events, expected, metadata, chain_key=CHAIN_KEY)
            async with conn.transaction():
                return await append(conn, stream, events, expected, metadata, chain_key=CHAIN_KEY)

    return append_to
