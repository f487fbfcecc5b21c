"""`tandem plan show`: the plan as it was, and who was told at each activation."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from contracts.envelope import Metadata
from contracts.ids import ActivationId, EventId, RecipientId
from contracts.vocabulary import ChannelKind, DeliveryStatus, MessageKind
from planner.domain.report_commands import RecordDelivery, RecordEscalation
from planner.handlers import reports
from tests.integration.admin.support import run_cli
from tests.support.api import activate, add_support, couple
from tests.support.builders import CHAIN_KEY

pytestmark = pytest.mark.integration


async def test_plan_show_tells_who_was_told_and_who_answered_without_addresses(
    client: AsyncTestClient[Any], db_url: str, db_pool: asyncpg.Pool
) -> None:
    plan = await couple(client)
    contact_id, _ = await add_support(client, plan, "Jo")
    activation = await activate(client, plan, note="a private note")
    activation_id = activation["activation_id"]
    await reports.record(
        db_pool,
        UUID(plan.plan_id),
        RecordDelivery(
            now=datetime.now(UTC),
            delivery_id=uuid4(),
            activation_id=ActivationId(UUID(activation_id)),
            recipient_id=RecipientId(UUID(contact_id)),
            channel=ChannelKind.EMAIL,
            tier=1,
            message=MessageKind.ALERT,
            status=DeliveryStatus.SENT,
        ),
        Metadata(actor="system:notifier", correlation_id=uuid4()),
        chain_key=CHAIN_KEY,
        report_id=EventId(uuid4()),
    )
    acked = await client.post(
        f"/v1/plans/{plan.plan_id}/activations/{activation_id}/acknowledge",
        headers=plan.second.auth,
    )
    assert acked.status_code == 200, acked.text

    code, out, err = await asyncio.to_thread(run_cli, db_url, "plan", "show", plan.plan_id)

    assert code == 0, err
    for expected in ("Our plan", "Alex", "Sam", "Jo (sponsor): consent given", "email"):
        assert expected in out
    assert "alert to Jo by email, tier 1: sent" in out
    assert "acknowledged by Sam" in out
    assert "@example.org" not in out
    assert "a private note" not in out

    code, out, err = await asyncio.to_thread(
        run_cli, db_url, "plan", "show", plan.plan_id, "--json"
    )
    assert code == 0, err
    report = msgspec.json.decode(out)
    assert [s["channels"] for s in report["supports"]] == [["email"]]
    assert report["activations"][0]["status"] == "acknowledged"
    assert [e["what"].split(" ")[0] for e in report["timeline"]] == [
        "activated",
        "alert",
        "acknowledged",
    ]
    assert "@example.org" not in out
    assert "a private note" not in out


async def test_plan_show_as_of_a_time_shows_the_plan_as_it_was(
    client: AsyncTestClient[Any], db_url: str, db_pool: asyncpg.Pool
) -> None:
    plan = await couple(client)
    await activate(client, plan)
    activated_at = await db_pool.fetchval(
        "SELECT recorded_at FROM events WHERE event_type = 'plan.activated'"
    )
    before = (activated_at - timedelta(microseconds=1)).isoformat()

    code, out, err = await asyncio.to_thread(
        run_cli, db_url, "plan", "show", plan.plan_id, "--as-of", before, "--json"
    )

    assert code == 0, err
    report = msgspec.json.decode(out)
    assert report["activations"] == []
    assert report["version"] == 3


async def test_an_activations_delivery_stream_is_not_shown_as_a_plan(
    client: AsyncTestClient[Any], db_url: str, db_pool: asyncpg.Pool
) -> None:
    plan = await couple(client)
    activation = await activate(client, plan)
    activation_id = UUID(activation["activation_id"])
    await reports.record(
        db_pool,
        UUID(plan.plan_id),
        RecordEscalation(now=datetime.now(UTC), activation_id=ActivationId(activation_id), tier=2),
        Metadata(actor="system:notifier", correlation_id=uuid4()),
        chain_key=CHAIN_KEY,
        report_id=EventId(uuid4()),
    )
    code, _, err = await asyncio.to_thread(run_cli, db_url, "plan", "show", str(activation_id))
    assert code == 1
    assert f"no plan {activation_id}" in err


def test_an_unknown_plan_exits_1_with_a_clear_message(db_url: str) -> None:
    plan_id = str(uuid4())
    code, out, err = run_cli(db_url, "plan", "show", plan_id)
    assert code == 1
    assert out == ""
    assert f"no plan {plan_id}" in err
