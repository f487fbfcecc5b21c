"""Liveness and readiness."""

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.support.api import couple

pytestmark = pytest.mark.integration


async def test_healthz_answers_while_the_process_is_up(client: AsyncTestClient[Any]) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}


async def test_readyz_reports_the_database_and_the_outbox_depth(
    client: AsyncTestClient[Any],
) -> None:
    await couple(client)  # three events, no relay in this process: all wait in the outbox
    answer = await client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json() == {
        "status": "ready",
        "checks": {"database": "ok"},
        "relay": None,
        "outbox_pending": 3,
    }
