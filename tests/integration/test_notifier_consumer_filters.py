"""The notifier's durable consumer is sent only the events it acts on.

It filters on one subject per event type it acts on (``filter_subjects``, nats-server
2.10+), so check-ins, delivery reports and edits of the plan never reach it. A durable
left by an older release, filtering on all of ``tandem.plan.>``, is updated at start-up.
Each test runs its own nats-server, so the durable is the only one on its stream.
"""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import nats
import pytest
from nats.aio.client import Client
from nats.js.api import AckPolicy, ConsumerConfig, ConsumerInfo, DeliverPolicy
from nats.js.errors import BadRequestError
from nats.js.manager import JetStreamManager

from contracts.subjects import PLAN_STREAM, PLAN_SUBJECTS, plan_subject
from notifier.intake.consumer import consumer_config, ensure_consumer, subjects_acted_on
from notifier.settings import NotifierSettings
from planner.relay.streams import ensure_streams
from planner.runtime.embedded.nats_server import EmbeddedNats
from tests.support.log_capture import captured_logs

pytestmark = pytest.mark.integration

SETTINGS = NotifierSettings(
    database_url="postgresql://unused", nats_url="nats://unused", secret_key=b"k", public_url="x"
)
ACTED_ON = ("plan.activated", "plan.activation_acknowledged", "plan.activation_resolved")
IGNORED = (
    "plan.alert_delivery_recorded",
    "plan.activation_escalated",
    "plan.check_in_recorded",
    "plan.response_step_added",
)


@pytest.fixture
async def connection(tmp_path: Path) -> AsyncIterator[Client]:
    server = EmbeddedNats(tmp_path / "nats")
    url = await asyncio.to_thread(server.start)
    connection = await nats.connect(url)
    try:
        await ensure_streams(connection.jsm())
        yield connection
    finally:
        await connection.close()
        await asyncio.to_thread(server.stop)


def test_the_filters_name_each_event_type_the_notifier_acts_on() -> None:
    subjects = subjects_acted_on()
    assert subjects == sorted(subjects)
    for event_type in ACTED_ON:
        assert f"tandem.plan.*.{event_type.removeprefix('plan.')}" in subjects
    for event_type in IGNORED:
        assert f"tandem.plan.*.{event_type.removeprefix('plan.')}" not in subjects


async def test_the_consumer_is_sent_only_the_events_it_acts_on(connection: Client) -> None:
    jsm = connection.jsm()
    await ensure_consumer(jsm, consumer_config(SETTINGS))
    js = connection.jetstream()
    plan_id = uuid4()
    for event_type in (*IGNORED, *ACTED_ON, *IGNORED):
        await js.publish(plan_subject(plan_id, event_type), b"{}", stream=PLAN_STREAM)

    info = await jsm.consumer_info(PLAN_STREAM, SETTINGS.consumer_name)
    assert info.num_pending == len(ACTED_ON)
    subscription = await js.pull_subscribe_bind(SETTINGS.consumer_name, PLAN_STREAM)
    fetched = await subscription.fetch(10, timeout=2)
    assert [m.subject for m in fetched] == [plan_subject(plan_id, t) for t in ACTED_ON]


async def test_a_durable_of_an_older_release_reading_every_plan_event_is_updated(
    connection: Client,
) -> None:
    jsm = connection.jsm()
    older = ConsumerConfig(
        durable_name=SETTINGS.consumer_name,
        filter_subject=PLAN_SUBJECTS,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=SETTINGS.ack_wait_seconds,
        deliver_policy=DeliverPolicy.ALL,
        max_deliver=-1,
    )
    await jsm.add_consumer(PLAN_STREAM, older)

    with captured_logs() as logs:
        await ensure_consumer(jsm, consumer_config(SETTINGS))
        await ensure_consumer(jsm, consumer_config(SETTINGS))  # now in step: left alone

    live = (await jsm.consumer_info(PLAN_STREAM, SETTINGS.consumer_name)).config
    assert sorted(live.filter_subjects or []) == subjects_acted_on()
    assert not live.filter_subject
    [updated] = logs.events("consumer.updated")
    assert updated["fields"] == "filter_subjects"
    assert logs.events("consumer.filters_unsupported") == []


class RefusingUpdates:
    """The real manager, but refusing a durable's update as a server before 2.10 may."""

    def __init__(self, real: JetStreamManager) -> None:
        self.real = real

    async def consumer_info(self, stream: str, name: str) -> ConsumerInfo:
        return await self.real.consumer_info(stream, name)

    async def add_consumer(self, stream: str, config: ConsumerConfig) -> ConsumerInfo:
        raise BadRequestError(code=400, err_code=10012, description="cannot update filters")


async def test_a_server_refusing_the_filters_leaves_the_notifier_reading_everything(
    connection: Client,
) -> None:
    jsm = connection.jsm()
    older = consumer_config(SETTINGS)
    older.filter_subjects, older.filter_subject = None, PLAN_SUBJECTS
    await jsm.add_consumer(PLAN_STREAM, older)

    with captured_logs() as logs:
        await ensure_consumer(RefusingUpdates(jsm), consumer_config(SETTINGS))  # type: ignore[arg-type]

    [refused] = logs.events("consumer.filters_unsupported")
    assert refused["error"] == "cannot update filters"
    live = (await jsm.consumer_info(PLAN_STREAM, SETTINGS.consumer_name)).config
    assert live.filter_subject == PLAN_SUBJECTS  # as it was: every event comes, acked unread
