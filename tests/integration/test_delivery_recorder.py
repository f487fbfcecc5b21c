"""The planner's recorder puts the notifier's reports on delivery streams, never on a plan's.

Reports go through a real nats-server (this test's own) to the recorder's durable consumer,
and into this test's database: a report is stored once on its activation's stream under
its report id, the plan's stream is left as it was, and a report about an activation the
plan never had is dead-lettered with the reason.
"""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID

import asyncpg
import msgspec
import nats
import pytest
from nats.aio.client import Client
from nats.js.api import ConsumerConfig, DeliverPolicy

from common.ids import new_id
from contracts.delivery import DeliveryReported, NotifierReport, TierEscalated
from contracts.delivery_events import ActivationEscalated, AlertDeliveryRecorded
from contracts.envelope import Envelope, Metadata
from contracts.ids import EventId, RecipientId
from contracts.subjects import (
    DLQ_HEADER_REASON,
    DLQ_STREAM,
    DLQ_SUBJECTS,
    HEADER_MSG_ID,
    delivery_subject,
)
from contracts.vocabulary import ChannelKind, DeliveryStatus, MessageKind
from planner.inbound.delivery_recorder import recording
from planner.relay.streams import ensure_streams
from planner.runtime.embedded.nats_server import EmbeddedNats
from planner.store import event_store
from planner.store.appending import append
from planner.store.event_store import NewEvent
from tests.support.builders import (
    ACTIVATION_ID,
    BLAIR,
    CHAIN_KEY,
    NOW,
    OTHER_ACTIVATION_ID,
    PLAN_ID,
    activated,
    two_partners,
)
from tests.support.eventually import eventually

pytestmark = pytest.mark.integration


@pytest.fixture
async def nats_server(tmp_path: Path) -> AsyncIterator[tuple[str, Client]]:
    server = EmbeddedNats(tmp_path / "nats")
    url = await asyncio.to_thread(server.start)
    connection = await nats.connect(url)
    try:
        await ensure_streams(connection.jsm())
        yield url, connection
    finally:
        await connection.close()
        await asyncio.to_thread(server.stop)


def delivered(activation_id: UUID = ACTIVATION_ID) -> DeliveryReported:
    return DeliveryReported(
        report_id=new_id(),
        plan_id=PLAN_ID,
        at=NOW,
        delivery_id=new_id(),
        activation_id=activation_id,
        recipient_id=RecipientId(BLAIR),
        channel=ChannelKind.WEBHOOK,
        tier=1,
        message=MessageKind.ALERT,
        status=DeliveryStatus.SENT,
    )


async def publish(connection: Client, report: NotifierReport, kind: str) -> None:
    subject = delivery_subject(report.activation_id or report.plan_id, kind)
    await connection.jetstream().publish(
        subject, msgspec.json.encode(report), headers={HEADER_MSG_ID: str(new_id())}
    )


async def test_reports_go_on_the_activations_stream_once_and_strays_are_dead_lettered(
    db_pool: asyncpg.Pool, nats_server: tuple[str, Client]
) -> None:
    url, connection = nats_server
    history = [*two_partners(), activated(two_partners())]
    metadata = Metadata(actor="participant:alex", correlation_id=new_id())
    async with db_pool.acquire() as conn:
        batch = [NewEvent(event_id=EventId(new_id()), event=e) for e in history]
        await append(conn, PLAN_ID, batch, "no_stream", metadata, chain_key=CHAIN_KEY)
    sent = delivered()
    escalated = TierEscalated(
        report_id=new_id(), plan_id=PLAN_ID, at=NOW, activation_id=ACTIVATION_ID, tier=2
    )
    stray = delivered(OTHER_ACTIVATION_ID)

    async with recording(db_pool, url, CHAIN_KEY):
        for report, kind in ((sent, "delivery"), (sent, "delivery"), (escalated, "escalation")):
            await publish(connection, report, kind)  # the first one twice, as a redelivery
        await publish(connection, stray, "delivery")

        async def recorded() -> list[Envelope]:
            stream = await event_store.read_stream(db_pool, ACTIVATION_ID)
            assert len(stream) == 2
            return stream

        stream = await eventually(recorded, timeout=15)
        dead = await connection.jetstream().subscribe(
            DLQ_SUBJECTS,
            stream=DLQ_STREAM,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL),
        )
        letter = await dead.next_msg(timeout=15)

    assert [e.event_id for e in stream] == [sent.report_id, escalated.report_id]
    first, second = (e.event for e in stream)
    assert isinstance(first, AlertDeliveryRecorded)
    assert first.plan_id == PLAN_ID
    assert isinstance(second, ActivationEscalated)
    assert second.tier == 2
    assert [e.metadata.actor for e in stream] == ["service:notifier"] * 2
    assert await event_store.stream_version(db_pool, PLAN_ID) == len(history)
    assert msgspec.json.decode(letter.data)["report_id"] == str(stray.report_id)
    assert "report does not apply" in (letter.headers or {})[DLQ_HEADER_REASON]
