"""NATS goes away: activations are still accepted, and every alert goes out once it returns.

The planner commits the activation and its outbox row without NATS; the relay publishes
when the server is back (same port, same JetStream folder), and the notifier, reconnected,
alerts each contact once.
"""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from planner.runtime.embedded.nats_server import EmbeddedNats, free_port
from tests.e2e.conftest import Stack
from tests.e2e.test_alerts import of_type, support
from tests.support.api import Couple, activate, couple
from tests.support.eventually import eventually
from tests.support.processes import notifier_idle

pytestmark = pytest.mark.integration

PLANS = 20
CHUNK = 10


@pytest.fixture
async def own_nats(tmp_path: Path) -> AsyncIterator[tuple[EmbeddedNats, str]]:
    """This test's nats-server on a port of its own that a restart keeps (``stack`` uses it)."""
    server = EmbeddedNats(tmp_path / "nats", port=free_port())
    url = await asyncio.to_thread(server.start)
    try:
        yield server, url
    finally:
        await asyncio.to_thread(server.stop)


async def consented_plans(stack: Stack, count: int) -> list[Couple]:
    async def one() -> Couple:
        plan = await couple(stack.client)
        await support(stack, plan)
        return plan

    plans: list[Couple] = []
    while len(plans) < count:
        plans += await asyncio.gather(*(one() for _ in range(min(CHUNK, count - len(plans)))))
    return plans


def keys(stack: Stack, kind: str) -> set[str]:
    """The distinct idempotency keys (``webhook-id``) of the webhooks of this type."""
    return {r.headers["webhook-id"] for r in of_type(stack, kind)}


def alerted(stack: Stack) -> set[str]:
    return {r.json()["activation_id"] for r in of_type(stack, "tandem.alert")}


async def test_alerts_accepted_while_nats_is_down_are_all_sent_once_when_it_returns(
    stack: Stack,
) -> None:
    plans = await consented_plans(stack, PLANS)
    await eventually(lambda: len(keys(stack, "tandem.consent_request")) == PLANS, timeout=15)

    await asyncio.to_thread(stack.nats.stop)
    activations = await asyncio.gather(*(activate(stack.client, p, "crisis") for p in plans))
    assert of_type(stack, "tandem.alert") == []  # nothing can have carried them yet

    await asyncio.to_thread(stack.nats.start)  # same port, same JetStream folder
    wanted = {a["activation_id"] for a in activations}
    await eventually(lambda: alerted(stack) == wanted, timeout=20)
    await eventually(lambda: notifier_idle(stack.db_url, stack.nats_url), timeout=10)

    alerts = of_type(stack, "tandem.alert")
    per_activation = Counter(r.json()["activation_id"] for r in alerts)
    assert per_activation == dict.fromkeys(wanted, 1)  # each sent once, to its one webhook
    assert len(keys(stack, "tandem.alert")) == PLANS
