"""Relays on this test's database, and the session's nats-server with the streams wiped."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import msgspec
import nats
import pytest
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from contracts.subjects import DELIVERY_STREAM, PLAN_STREAM
from planner.relay.loop import Relay

STOP_TIMEOUT_SECONDS = 10.0


class Started(msgspec.Struct, kw_only=True):
    relay: Relay
    task: asyncio.Task[None]


StartRelay = Callable[..., Awaitable[Started]]


async def _delete_streams(js: JetStreamContext) -> None:
    for name in (PLAN_STREAM, DELIVERY_STREAM):
        with contextlib.suppress(NotFoundError):
            await js.delete_stream(name)


@pytest.fixture
async def js(nats_url: str) -> AsyncIterator[JetStreamContext]:
    """JetStream on the session server, with no Tandem streams before or after the test."""
    client = await nats.connect(nats_url)
    try:
        context = client.jetstream()
        await _delete_streams(context)
        yield context
        await _delete_streams(context)
    finally:
        await client.close()


@pytest.fixture
async def start_relay(
    db_url: str, nats_url: str, js: JetStreamContext
) -> AsyncIterator[StartRelay]:
    """Start relays on this test's database; each is stopped (and must stop) at teardown."""
    started: list[tuple[asyncio.Event, Started]] = []

    async def start(*, nats: str = nats_url, **options: Any) -> Started:
        relay = Relay(db_url, nats, **options)
        stop = asyncio.Event()
        handle = Started(relay=relay, task=asyncio.create_task(relay.run(stop)))
        started.append((stop, handle))
        return handle

    yield start
    for stop, _ in started:
        stop.set()
    for _, handle in started:
        if not handle.task.cancelled():  # a test may have killed one
            await asyncio.wait_for(handle.task, STOP_TIMEOUT_SECONDS)
