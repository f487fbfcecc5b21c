"""`tandem disclosures --participant ID`: what Tandem told others about one participant."""

import asyncio
import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from contracts.envelope import Metadata
from contracts.ids import ActivationId, EventId, RecipientId
from contracts.vocabulary import ChannelKind, DeliveryStatus, MessageKind
from planner.domain.report_commands import RecordDelivery
from planner.handlers import reports
from tests.integration.admin.support import run_cli
from tests.support.api import activate, add_support, couple
from tests.support.builders import CHAIN_KEY

pytestmark = pytest.mark.integration


async def test_disclosures_lists_each_message_about_the_participant_with_its_consents(
    client: AsyncTestClient[Any], db_url: str, db_pool: asyncpg.Pool
) -> None:
    plan = await couple(client)
    contact_id, _ = await add_support(client, plan, "Jo")
    activation_id = (await activate(client, plan, note="a private note"))["activation_id"]
    delivery_id = uuid4()
    await reports.record(
        db_pool,
        UUID(plan.plan_id),
        RecordDelivery(
            now=datetime.now(UTC),
            delivery_id=delivery_id,
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
    alex = plan.first.participant_id

    code, out, err = await asyncio.to_thread(run_cli, db_url, "disclosures", "--participant", alex)

    assert code == 0, err
    [line] = out.splitlines()
    assert f"alert to contact 'Jo' ({contact_id}) by email: name, level; sent" in line
    assert "plan.consent_given" in line
    assert "plan.support_contact_added" in line
    assert "a private note" not in out  # Jo's scope shows no note: nor does the accounting

    code, out, err = await asyncio.to_thread(
        run_cli, db_url, "disclosures", "--participant", alex, "--json"
    )
    assert code == 0, err
    [row] = json.loads(out)
    assert row["delivery_id"] == str(delivery_id)
    assert row["fields"] == ["name", "level"]
    assert [c["type"] for c in row["consents"]] == [
        "plan.consent_given",
        "plan.support_contact_added",
    ]

    sam = plan.second.participant_id
    code, out, err = await asyncio.to_thread(run_cli, db_url, "disclosures", "--participant", sam)
    assert (code, out) == (0, "")
    assert "nothing about this participant was sent to anyone" in err


def test_disclosures_of_nobody_known_exits_1_with_one_line(db_url: str) -> None:
    nobody = str(uuid4())
    code, out, err = run_cli(db_url, "disclosures", "--participant", nobody)
    assert code == 1
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert f"no participant {nobody} is a partner of any plan" in err


def test_disclosures_without_a_database_exits_2_with_one_line() -> None:
    code, _, err = run_cli(
        "postgresql://nobody@127.0.0.1:1/none", "disclosures", "--participant", str(uuid4())
    )
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
