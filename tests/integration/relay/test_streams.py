"""The planner's streams are ensured at start-up: created once, and corrected when they drift."""

import asyncio
import dataclasses

import nats
import pytest
from nats.js import JetStreamContext
from nats.js.api import RetentionPolicy, StorageType, StreamConfig

from common.retention.streams import DEFAULT_MAX_AGE_DAYS, apply_max_age, max_age_seconds
from contracts.subjects import (
    DELIVERY_STREAM,
    DELIVERY_SUBJECTS,
    DLQ_STREAM,
    PLAN_STREAM,
    PLAN_SUBJECTS,
)
from planner.relay.streams import (
    DUPLICATE_WINDOW_SECONDS,
    drifted_fields,
    ensure_stream,
    ensure_streams,
    stream_configs,
)

pytestmark = pytest.mark.integration

OPERATOR_MAX_BYTES = 64 * 1024 * 1024


async def live_config(js: JetStreamContext, name: str) -> StreamConfig:
    return (await js.stream_info(name)).config


async def test_ensuring_the_plan_stream_twice_leaves_one_stream_with_the_same_config(
    js: JetStreamContext,
) -> None:
    await ensure_stream(js, stream_configs()[0])
    first = await js.stream_info(PLAN_STREAM)
    await ensure_stream(js, stream_configs()[0])
    second = await js.stream_info(PLAN_STREAM)

    assert second.config == first.config
    assert second.created == first.created  # not deleted and made again
    config = second.config
    assert config.subjects == [PLAN_SUBJECTS]
    assert config.storage == StorageType.FILE
    assert config.retention == RetentionPolicy.LIMITS
    assert config.duplicate_window == DUPLICATE_WINDOW_SECONDS
    assert DUPLICATE_WINDOW_SECONDS >= 120  # DESIGN: at least 2 minutes
    assert config.max_age == DEFAULT_MAX_AGE_DAYS * 24 * 3600  # 30 days, then dropped
    assert DEFAULT_MAX_AGE_DAYS == 30
    assert drifted_fields(config, stream_configs()[0]) == []


async def test_a_drifted_stream_is_updated_and_fields_the_code_does_not_own_are_kept(
    js: JetStreamContext,
) -> None:
    await js.add_stream(
        name=PLAN_STREAM,
        subjects=[PLAN_SUBJECTS],
        storage=StorageType.FILE,
        duplicate_window=10.0,
        max_age=3600.0,
        max_bytes=OPERATOR_MAX_BYTES,
    )

    await ensure_stream(js, stream_configs()[0])

    config = await live_config(js, PLAN_STREAM)
    assert (config.duplicate_window, config.max_age) == (
        DUPLICATE_WINDOW_SECONDS,
        max_age_seconds(DEFAULT_MAX_AGE_DAYS),
    )
    assert config.max_bytes == OPERATOR_MAX_BYTES
    assert drifted_fields(config, stream_configs()[0]) == []


async def test_two_processes_ensuring_at_once_both_succeed(
    js: JetStreamContext, nats_url: str
) -> None:
    other = await nats.connect(nats_url)
    try:
        await asyncio.gather(ensure_streams(js), ensure_streams(other.jetstream()))
    finally:
        await other.close()

    delivery = await live_config(js, DELIVERY_STREAM)
    assert delivery.subjects == [DELIVERY_SUBJECTS]
    assert drifted_fields(delivery, stream_configs()[1]) == []
    assert (await live_config(js, PLAN_STREAM)).num_replicas == 1


async def test_every_stream_drops_messages_after_the_days_the_setting_gives(
    js: JetStreamContext,
) -> None:
    await ensure_streams(js, max_age_days=7)

    for name in (PLAN_STREAM, DELIVERY_STREAM, DLQ_STREAM):
        assert (await live_config(js, name)).max_age == 7 * 24 * 3600


async def test_the_notifier_applies_a_changed_max_age_and_touches_nothing_else(
    js: JetStreamContext,
) -> None:
    await ensure_streams(js)
    await js.update_stream(
        dataclasses.replace(await live_config(js, PLAN_STREAM), max_bytes=OPERATOR_MAX_BYTES)
    )

    changed = await apply_max_age(js, 2)
    again = await apply_max_age(js, 2)

    assert changed == [PLAN_STREAM, DELIVERY_STREAM, DLQ_STREAM]
    assert again == []
    plan = await live_config(js, PLAN_STREAM)
    assert plan.max_age == 2 * 24 * 3600
    assert plan.max_bytes == OPERATOR_MAX_BYTES
    assert drifted_fields(plan, stream_configs(max_age_days=2)[0]) == []


async def test_the_notifier_leaves_a_stream_not_created_yet_to_the_planner(
    js: JetStreamContext,
) -> None:
    assert await apply_max_age(js, 2) == []
