"""Partners' own channels, one-tap acknowledge links, and delivery reports on an activation."""

import base64
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from common.capabilities import Capability, issue
from common.ids import new_id
from contracts.envelope import Metadata
from contracts.ids import ActivationId, EventId, RecipientId
from contracts.vocabulary import ChannelKind, DeliveryStatus, MessageKind
from planner.domain.report_commands import RecordDelivery
from planner.handlers import reports
from planner.settings import Settings
from planner.store import accounts
from tests.support.api import activate, add_support, assert_problem, couple
from tests.support.builders import CHAIN_KEY

pytestmark = pytest.mark.integration


def ack_link(
    settings: Settings, plan_id: str, activation_id: str, who: str, minutes: int = 30
) -> str:
    expires = datetime.now(UTC) + timedelta(minutes=minutes)
    capability = Capability(
        purpose="ack",
        plan_id=UUID(plan_id),
        subject_id=UUID(who),
        activation_id=UUID(activation_id),
        expires_at=int(expires.timestamp()),
    )
    return f"/v1/acks/{issue(settings.secret_key, capability)}"


async def test_a_partner_saves_channels_and_a_webhook_secret_is_shown_once(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    answer = await client.put(
        "/v1/participants/me/channels",
        json={
            "channels": [
                {"kind": "email", "address": "sam@example.org"},
                {"kind": "webhook", "address": "https://hooks.example.org/sam"},
            ]
        },
        headers=plan.second.auth,
    )
    assert answer.status_code == 200
    email, webhook = answer.json()["channels"]
    assert "signing_secret" not in email
    assert webhook["signing_secret"].startswith("whsec_")
    assert len(base64.b64decode(webhook["signing_secret"].removeprefix("whsec_"))) == 32


async def test_the_other_partners_channels_are_frozen_into_an_activation(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    await client.put(
        "/v1/participants/me/channels",
        json={"channels": [{"kind": "sms", "address": "+15550100"}]},
        headers=plan.second.auth,
    )
    activation = await activate(client, plan)
    view = (
        await client.get(
            f"/v1/plans/{plan.plan_id}/activations/{activation['activation_id']}",
            headers=plan.first.auth,
        )
    ).json()
    [sam] = view["recipients"]
    assert sam["channels"] == ["sms"]


async def test_an_acknowledge_link_records_who_is_on_it_once(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    plan = await couple(client)
    jo, _ = await add_support(client, plan, "Jo")
    activation = await activate(client, plan, "crisis")
    link = ack_link(settings, plan.plan_id, activation["activation_id"], jo)
    first = await client.post(link)
    assert first.status_code == 200
    assert first.json()["status"] == "acknowledged"
    again = await client.post(link)
    assert again.json()["version"] == first.json()["version"]
    view = (
        await client.get(
            f"/v1/plans/{plan.plan_id}/activations/{activation['activation_id']}",
            headers=plan.first.auth,
        )
    ).json()
    [jo_view] = [r for r in view["recipients"] if r["recipient_id"] == jo]
    assert jo_view["acknowledged_at"] is not None


async def test_an_expired_acknowledge_link_is_410_and_says_what_to_do_a_forged_one_404(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    plan = await couple(client)
    activation = await activate(client, plan)
    expired = ack_link(
        settings, plan.plan_id, activation["activation_id"], plan.second.participant_id, -1
    )
    refused = assert_problem(await client.post(expired), 410)
    assert "reach them the way you usually do" in refused["detail"]  # what to do instead
    assert_problem(await client.post("/v1/acks/not.a-link"), 404)


async def test_a_link_for_someone_who_was_not_alerted_is_403(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    plan = await couple(client)
    activation = await activate(client, plan)
    link = ack_link(settings, plan.plan_id, activation["activation_id"], plan.first.participant_id)
    assert_problem(await client.post(link), 403)


async def test_a_delivery_report_shows_on_the_activation_and_counts_once(
    client: AsyncTestClient[Any], db_pool: asyncpg.Pool
) -> None:
    plan = await couple(client)
    activation = await activate(client, plan)
    report = RecordDelivery(
        now=datetime.now(UTC),
        delivery_id=new_id(),
        activation_id=ActivationId(UUID(activation["activation_id"])),
        recipient_id=RecipientId(UUID(plan.second.participant_id)),
        channel=ChannelKind.EMAIL,
        tier=1,
        message=MessageKind.ALERT,
        status=DeliveryStatus.FAILED,
        reason="smtp 550",
        attempts=1,
    )
    metadata = Metadata(actor="notifier", correlation_id=new_id())
    report_id = EventId(new_id())
    stored = [
        await reports.record(
            db_pool, UUID(plan.plan_id), report, metadata, chain_key=CHAIN_KEY, report_id=report_id
        )
        for _ in range(2)  # the same report, delivered twice
    ]
    assert stored == [True, False]
    view = (
        await client.get(
            f"/v1/plans/{plan.plan_id}/activations/{activation['activation_id']}",
            headers=plan.first.auth,
        )
    ).json()
    [sam] = view["recipients"]
    assert [(d["channel"], d["status"], d["reason"]) for d in sam["deliveries"]] == [
        ("email", "failed", "smtp 550")
    ]
    # The report is on the activation's own stream: the plan's version did not move.
    whole = await client.get(f"/v1/plans/{plan.plan_id}", headers=plan.first.auth)
    assert whole.json()["version"] == activation["version"]
    assert whole.headers["etag"] == f'"{activation["version"]}.1"'
    [shown] = whole.json()["activations"]
    assert shown["recipients"][0]["deliveries"] == sam["deliveries"]
    unchanged = await client.get(
        f"/v1/plans/{plan.plan_id}",
        headers={**plan.first.auth, "If-None-Match": whole.headers["etag"]},
    )
    assert unchanged.status_code == 304
    # That ETag, as If-Match, names the plan's version: the report never makes it stale.
    resolved = await client.post(
        f"/v1/plans/{plan.plan_id}/activations/{activation['activation_id']}/resolve",
        json={"outcome": "false_alarm"},
        headers={**plan.first.auth, "If-Match": whole.headers["etag"]},
    )
    assert resolved.status_code == 200, resolved.text
    streams = await db_pool.fetch(
        "SELECT DISTINCT stream_id FROM events WHERE event_type = 'plan.alert_delivery_recorded'"
    )
    assert [row["stream_id"] for row in streams] == [UUID(activation["activation_id"])]
    # An operator, who may read any plan, finds no plan under an activation's stream id.
    await accounts.add_operator(db_pool, new_id(), "on call", "tdm_o_reports_operator")
    operator = {"Authorization": "Bearer tdm_o_reports_operator"}
    assert (await client.get(f"/v1/plans/{plan.plan_id}", headers=operator)).status_code == 200
    as_a_plan = f"/v1/plans/{activation['activation_id']}"
    assert_problem(await client.get(as_a_plan, headers=operator), 404)
    assert_problem(await client.get(f"{as_a_plan}/events", headers=operator), 404)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "ftp://hooks.example.org/hook",
    ],
)
async def test_a_webhook_into_a_private_network_is_refused_when_saved(
    client: AsyncTestClient[Any], url: str
) -> None:
    plan = await couple(client)
    for path, body in (
        ("/v1/participants/me/channels", {"channels": [{"kind": "webhook", "address": url}]}),
    ):
        answer = await client.put(path, json=body, headers=plan.second.auth)
        assert assert_problem(answer, 422)["field"] == "channels"
    answer = await client.post(
        f"/v1/plans/{plan.plan_id}/supports",
        json={
            "display_name": "Jo",
            "relationship": "friend",
            "channels": [{"kind": "webhook", "address": url}],
        },
        headers=plan.first.auth,
    )
    assert_problem(answer, 422)
