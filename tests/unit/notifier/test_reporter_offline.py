"""A report drain while NATS is away fails at once, instead of waiting out a publish timeout
with the escalation timers behind it."""

from typing import cast

import asyncpg
import nats.errors
import pytest
from nats.aio.client import Client

from notifier.loops.reporter import Reporter


async def test_a_drain_while_the_connection_is_down_fails_at_once() -> None:
    never_used = cast(asyncpg.Pool, None)  # nothing may be read before the connection is checked
    reporter = Reporter(never_used, Client())  # a client that is not connected

    with pytest.raises(nats.errors.ConnectionReconnectingError):
        await reporter.drain()
