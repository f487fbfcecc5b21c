"""The relay publishes the outbox to JetStream: in order, with every header, woken by NOTIFY."""

from datetime import datetime

import asyncpg
import msgspec
import pytest
from nats.js import JetStreamContext
from uuid_utils.compat import uuid7

from contracts.envelope import Envelope
from contracts.subjects import (
    HEADER_CORRELATION_ID,
    HEADER_EVENT_ID,
    HEADER_EVENT_TYPE,
    HEADER_MSG_ID,
    HEADER_RECORDED_AT,
    HEADER_SCHEMA_VERSION,
    HEADER_STREAM_VERSION,
    plan_subject,
)
from planner.domain.personal_fields import (
    WITHHELD,
    Whose,
    personal_fields,
    withheld_from_the_notifier,
)
from planner.relay import outbox
from planner.store import appending
from planner.store.event_store import read_all
from tests.integration.relay import support
from tests.integration.relay.conftest import StartRelay
from tests.integration.relay.support import (
    all_published,
    append_plan,
    count_is,
    message_count,
    msg_ids,
    stored_messages,
)
from tests.support.builders import CHAIN_KEY
from tests.support.eventually import eventually

pytestmark = pytest.mark.integration

NO_SAFETY_NET = 60.0  # longer than any test: only a NOTIFY can wake the relay in time


async def test_appended_events_reach_the_stream_in_order_with_every_header(
    db_pool: asyncpg.Pool, js: JetStreamContext, start_relay: StartRelay
) -> None:
    first = await append_plan(db_pool, count=3)
    second = await append_plan(db_pool, count=2)
    await start_relay()

    await eventually(count_is(js, 5))

    messages = await stored_messages(js)
    envelopes = await read_all(db_pool)
    assert [e.stream_id for e in envelopes] == [first.stream_id] * 3 + [second.stream_id] * 2
    for message, envelope in zip(messages, envelopes, strict=True):
        assert message.subject == plan_subject(envelope.stream_id, envelope.event_type)
        expected = {
            HEADER_MSG_ID: str(envelope.event_id),
            HEADER_EVENT_ID: str(envelope.event_id),
            HEADER_EVENT_TYPE: envelope.event_type,
            HEADER_SCHEMA_VERSION: str(envelope.schema_version),
            HEADER_STREAM_VERSION: str(envelope.stream_version),
            HEADER_CORRELATION_ID: str(envelope.metadata.correlation_id),
            HEADER_RECORDED_AT: envelope.recorded_at.isoformat(),
        }
        assert message.headers is not None
        assert message.headers.items() >= expected.items()
        assert datetime.fromisoformat(message.headers[HEADER_RECORDED_AT]).tzinfo is not None
        published = msgspec.json.decode(message.data, type=Envelope)
        assert without_event(published) == without_event(envelope)
        assert_withheld_only_what_the_notifier_never_reads(message.data, envelope)
    await eventually(all_published(db_pool))


def without_event(envelope: Envelope) -> dict[str, object]:
    return {k: v for k, v in msgspec.structs.asdict(envelope).items() if k != "event"}


def assert_withheld_only_what_the_notifier_never_reads(data: bytes, stored: Envelope) -> None:
    """Personal text the notifier never reads goes out as WITHHELD; everything else as stored."""
    whose = Whose(stored.stream_id, stored.metadata.actor, {})
    personal = {field.path for field in personal_fields(stored.event, whose)}
    published = msgspec.json.decode(data)["event"]
    withheld = 0
    for field, value in msgspec.to_builtins(stored.event).items():
        if (field,) in personal and withheld_from_the_notifier(stored.event_type, (field,)):
            assert published[field] == WITHHELD, (stored.event_type, field)
            withheld += 1
        else:
            assert published[field] == value, (stored.event_type, field)
    # plan.created's creator name and a sign's category: the notifier writes neither.
    assert withheld == 1


async def test_a_notify_wakes_the_relay_long_before_its_safety_net(
    db_pool: asyncpg.Pool, js: JetStreamContext, start_relay: StartRelay
) -> None:
    started = await start_relay(safety_net_seconds=NO_SAFETY_NET)
    await append_plan(db_pool)
    await eventually(lambda: started.relay.published_count == 1)

    # The relay now waits for a NOTIFY or its 60 s safety net; only the NOTIFY is in time.
    await append_plan(db_pool)

    await eventually(lambda: started.relay.published_count == 2, timeout=1.0)
    assert await message_count(js) == 2


async def test_a_late_commit_with_a_lower_position_is_still_published(
    db_pool: asyncpg.Pool, js: JetStreamContext, start_relay: StartRelay
) -> None:
    started = await start_relay()
    async with db_pool.acquire() as conn_a:
        # A draws the lower positions and stays open while B commits and is published.
        late = conn_a.transaction()
        await late.start()
        result_a = await append_plan(conn_a, count=2)
        result_b = await append_plan(db_pool, count=2)
        assert max(result_a.positions) < min(result_b.positions)
        await eventually(lambda: started.relay.published_count == 2)

        await late.commit()

    await eventually(count_is(js, 4))
    envelopes = {e.position: e for e in await read_all(db_pool)}
    published_order = [*result_b.positions, *result_a.positions]  # A went out after B
    assert msg_ids(await stored_messages(js)) == [
        str(envelopes[position].event_id) for position in published_order
    ]
    await eventually(all_published(db_pool))


INSERT_FUTURE_EVENT = """
WITH stored AS (
    INSERT INTO events
        (stream_id, stream_version, event_id, event_type, schema_version, payload, metadata)
    VALUES ($1, 1, $2, 'plan.from_a_newer_release', 2,
            '{"type": "plan.from_a_newer_release"}', $3::jsonb)
    RETURNING position, event_id, stream_id
)
INSERT INTO outbox (position, event_id, stream_id) SELECT * FROM stored RETURNING position
"""


async def test_an_event_this_release_cannot_read_holds_back_the_events_after_it(
    db_pool: asyncpg.Pool,
    js: JetStreamContext,
    start_relay: StartRelay,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await append_plan(db_pool)
    metadata = msgspec.json.encode(support.metadata()).decode()
    future = await db_pool.fetchval(INSERT_FUTURE_EVENT, uuid7(), uuid7(), metadata)
    after = await append_plan(db_pool)
    started = await start_relay()

    await eventually(lambda: f"position {future} does not decode" in caplog.text)

    # The event ahead of it went out; the one after it waits, so no plan sees a gap.
    assert started.relay.published_count == 1
    assert await message_count(js) == 1
    pending = [row.position for row in await support.pending(db_pool)]
    assert pending == [future, *after.positions]


async def test_a_batch_that_stops_before_an_undecodable_event_says_more_wait(
    db_pool: asyncpg.Pool,
) -> None:
    first = await append_plan(db_pool)
    metadata = msgspec.json.encode(support.metadata()).decode()
    await db_pool.fetchval(INSERT_FUTURE_EVENT, uuid7(), uuid7(), metadata)

    batch = await outbox.pending_envelopes(db_pool)

    assert [e.position for e in batch.envelopes] == list(first.positions)
    assert batch.more  # so the relay reads again at once, and the bad event fails loudly


async def test_an_active_relay_woken_in_its_own_process_needs_no_notify(
    db_pool: asyncpg.Pool, js: JetStreamContext, start_relay: StartRelay
) -> None:
    started = await start_relay(safety_net_seconds=NO_SAFETY_NET)
    assert started.relay.wake_if_active() is False  # not active yet: leave it to a NOTIFY
    await eventually(lambda: started.relay.active)
    plan_id = uuid7()
    async with db_pool.acquire() as conn:  # committed without any NOTIFY
        await appending.append(
            conn,
            plan_id,
            [support.plan_created(plan_id)],
            "no_stream",
            support.metadata(),
            chain_key=CHAIN_KEY,
            notify=False,
        )

    assert started.relay.wake_if_active() is True

    await eventually(lambda: started.relay.published_count == 1, timeout=1.0)
    assert await message_count(js) == 1
