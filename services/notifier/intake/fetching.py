"""Pulling the planner's events: wait for its stream, then fetch batches for the consumer.

The planner creates the stream, so the notifier waits for it before it makes its durable
consumer match the code. Each fetch is a long poll (``common.consuming``); a batch is handled
plan by plan side by side, each plan's events in stream order.
"""

import asyncio
from typing import Any

import structlog
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.errors import NotFoundError

from common.consuming import FETCH_ERRORS, Subscription, pull
from common.retention.streams import apply_max_age
from common.waiting import Faults, Guard, wait_any
from contracts.subjects import PLAN_STREAM
from notifier.intake.consumer import Consumer, consumer_config, ensure_consumer
from notifier.settings import NotifierSettings

log = structlog.stdlib.get_logger("notifier")

FETCH_BATCH = 32
PLAN_ID_PART = 2  # of a subject tandem.plan.<plan id>.<event>


async def ensure_durable(nc: Client, settings: NotifierSettings, stop: asyncio.Event) -> None:
    """Wait for the planner's stream, then make our durable consumer match the code, and the
    streams' ``max_age`` match the setting."""
    jsm = nc.jsm()
    while not stop.is_set():
        try:
            await ensure_consumer(jsm, consumer_config(settings))
            break
        except (NotFoundError, *FETCH_ERRORS) as exc:
            log.warning("consumer.waiting", stream=PLAN_STREAM, error=type(exc).__name__)
            await wait_any([stop], 1.0)
    if stop.is_set():
        return
    try:
        await apply_max_age(jsm, settings.stream_max_age_days)
    except FETCH_ERRORS as exc:  # the planner applies it too; alerts must not wait for this
        log.warning("jetstream.max_age_failed", error=type(exc).__name__)


async def consume(
    subscription: Subscription,
    consumer: Consumer,
    stop: asyncio.Event,
    faults: Faults | None = None,
) -> None:
    """Fetch and handle batches until ``stop``; each batch is done before the next fetch."""

    async def handle(messages: list[Msg]) -> None:
        # Plans side by side, each plan's events in stream order: one at a time, every
        # commit would wait for its own WAL flush, and the consumer would fall behind at
        # 50 activations a second. The next fetch waits for the whole batch.
        await asyncio.gather(*(_in_order(consumer, group) for group in by_plan(messages)))

    guard = Guard(
        "intake", log, expected=FETCH_ERRORS, faults=faults, event="consumer.fetch_failed"
    )
    await pull(subscription, handle, stop, batch=FETCH_BATCH, guard=guard)


def by_plan(messages: list[Any]) -> list[list[Any]]:
    """The batch split by plan (``tandem.plan.<plan id>.<event>``), keeping each one's order."""
    groups: dict[str, list[Any]] = {}
    for message in messages:
        parts = str(message.subject).split(".")
        plan = parts[PLAN_ID_PART] if len(parts) > PLAN_ID_PART + 1 else message.subject
        groups.setdefault(plan, []).append(message)
    return list(groups.values())


async def _in_order(consumer: Consumer, messages: list[Any]) -> None:
    for message in messages:
        try:
            await consumer.process(message)
        except FETCH_ERRORS as exc:  # an ack or nak lost: JetStream redelivers it
            log.warning("consumer.settle_failed", error=type(exc).__name__)
