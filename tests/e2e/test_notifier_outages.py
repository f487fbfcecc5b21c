"""Real outages under a running notifier: PostgreSQL stopped, then NATS stopped mid-activation.

Each server is this test's own, stopped and started again on the same port and data folder.
The notifier's loops log the failures, back off and say so on ``/readyz``; once the server is
back they do their jobs again, without anyone restarting the notifier. (Sessions terminated
one by one are in ``test_lost_database_sessions``; errors on cue in ``test_loops_survive``.)
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from planner.runtime.embedded.nats_server import EmbeddedNats, free_port
from planner.runtime.embedded.postgres import EmbeddedPostgres
from tests.e2e.conftest import Stack
from tests.e2e.test_escalation import alerted, two_tiers
from tests.e2e.test_loops_survive import alerted_once, failures, with_webhook
from tests.support.api import Couple
from tests.support.database import own_postgres
from tests.support.eventually import eventually
from tests.support.log_capture import captured_logs

pytestmark = pytest.mark.integration


@pytest.fixture
async def postgres(tmp_path: Path) -> AsyncIterator[EmbeddedPostgres]:
    """A PostgreSQL of this test's own, to stop and start (the session's stays up)."""
    async with own_postgres(tmp_path / "pgdata") as server:
        yield server


@pytest.fixture
def db_url(postgres: EmbeddedPostgres) -> str:
    """The ``stack`` on this test's own PostgreSQL."""
    return postgres.dsn()


@pytest.fixture
async def own_nats(tmp_path: Path) -> AsyncIterator[tuple[EmbeddedNats, str]]:
    """This test's nats-server on a port of its own that a restart keeps (``stack`` uses it)."""
    server = EmbeddedNats(tmp_path / "nats", port=free_port())
    url = await asyncio.to_thread(server.start)
    try:
        yield server, url
    finally:
        await asyncio.to_thread(server.stop)


async def readiness(stack: Stack) -> httpx.Response:
    assert stack.notifier is not None
    assert stack.notifier.status_url is not None
    async with httpx.AsyncClient(base_url=stack.notifier.status_url) as status:
        return await status.get("/readyz")


def ready_again(stack: Stack) -> Callable[[], Awaitable[None]]:
    async def ready() -> None:
        answer = await readiness(stack)
        assert answer.status_code == 200, answer.text

    return ready


async def activated(stack: Stack, plan: Couple) -> dict[str, Any]:
    """An activation, asked again while the planner's pool finds its way back (503s)."""

    async def accepted() -> dict[str, Any]:
        answer = await stack.client.post(
            f"/v1/plans/{plan.plan_id}/activations",
            json={"level": "crisis"},
            headers=plan.first.auth,
        )
        assert answer.status_code == 201, answer.text
        body: dict[str, Any] = answer.json()
        return body

    return await eventually(accepted, timeout=30, interval=0.2)


async def test_the_notifier_outlives_a_stopped_database_and_alerts_once_it_is_back(
    stack: Stack, postgres: EmbeddedPostgres
) -> None:
    plan = await with_webhook(stack)
    with captured_logs() as logs:
        await asyncio.to_thread(postgres.stop)

        def every_loop_failed() -> bool:
            return all(
                failures(logs, event, loop)
                for event, loop in [
                    ("worker.listen_failed", "listener"),
                    ("worker.loop_failed", "sending"),
                    ("worker.loop_failed", "chores"),
                ]
            )

        await eventually(every_loop_failed, timeout=20)
        down = await readiness(stack)
        assert down.status_code == 503
        assert down.json()["checks"]["database"] != "ok"
        assert "sending" in down.json()["checks"]["loops"]

        assert await asyncio.to_thread(postgres.start) == stack.db_url
        activation = await activated(stack, plan)
        await alerted_once(stack, activation)

        await eventually(ready_again(stack), timeout=15)


async def test_reports_wait_out_a_nats_outage_while_timers_still_fire(stack: Stack) -> None:
    plan, _, _ = await two_tiers(stack, timeout_seconds=1)
    stack.webhooks.hold_after(0)  # Jo's alert arrives, and is answered once NATS is down
    with captured_logs() as logs:
        activation = await activated(stack, plan)
        await eventually(lambda: len(alerted(stack, "jo")) == 1, timeout=15)
        await asyncio.to_thread(stack.nats.stop)
        stack.webhooks.release()

        # Tier 1's timer fires and Lee is alerted with NATS still away; Jo's report waits.
        await eventually(lambda: len(alerted(stack, "lee")) == 1, timeout=15)
        await eventually(lambda: failures(logs, "reporter.deferred", "reporter"), timeout=15)
        down = await readiness(stack)
        assert down.status_code == 503
        assert "reporter" in down.json()["checks"]["loops"]

        await asyncio.to_thread(stack.nats.start)  # same port, same JetStream folder
        path = f"/v1/plans/{plan.plan_id}/activations/{activation['activation_id']}"

        async def reported() -> None:
            view = (await stack.client.get(path, headers=plan.first.auth)).json()
            assert view["escalated_tiers"] == [2]
            [jo] = [r for r in view["recipients"] if r["display_name"] == "Jo"]
            assert ("webhook", "sent") in {(d["channel"], d["status"]) for d in jo["deliveries"]}

        await eventually(reported, timeout=30, interval=0.2)
        await eventually(ready_again(stack), timeout=15)

    deferred = failures(logs, "reporter.deferred", "reporter")
    assert all(line["retry_in"] > 0 for line in deferred)
    assert len(alerted(stack, "jo")) == 1
