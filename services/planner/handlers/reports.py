"""Recording a report of the notifier's on its delivery stream, never on the plan's.

The plan is read (kept in memory: only its newer events are read), the delivery stream is
read and joined to it, and the report decided on both; its event is appended to the
delivery stream with the report id as event id, so a report that arrives twice is stored
once. Nothing is written on the plan's stream, so a person's command never conflicts with
a report. Two reports on one delivery stream at once (two planner processes) conflict with
each other only, and the later is decided again.
"""

from typing import assert_never
from uuid import UUID

import asyncpg

from contracts.delivery_events import DeliveryEvent, delivery_stream_id
from contracts.envelope import Metadata
from contracts.ids import EventId
from planner.domain.decide_deliveries import decide_report
from planner.domain.delivery_log import joined
from planner.domain.errors import PlanNotFound
from planner.domain.report_commands import DeliveryCommand, RecordDelivery, RecordEscalation
from planner.handlers.results import ConcurrencyConflict
from planner.metrics import appended
from planner.relay import wake
from planner.store import appending, event_store, plan_states
from planner.store.event_store import Connection, NewEvent, StreamVersionConflict

MAX_ATTEMPTS = 5


def stream_of(command: DeliveryCommand) -> UUID:
    """The delivery stream a report goes on: its activation's, or its contact's."""
    match command:
        case RecordDelivery():
            return delivery_stream_id(command.activation_id, command.recipient_id)
        case RecordEscalation():
            return command.activation_id
        case _:
            assert_never(command)


async def record(
    pool: asyncpg.Pool,
    plan_id: UUID,
    command: DeliveryCommand,
    metadata: Metadata,
    *,
    chain_key: bytes,
    report_id: EventId,
) -> bool:
    """Record one report; True when it was stored now (False: known already, or nothing new).

    Raises a ``DomainError`` when the report does not apply (an unknown plan, activation or
    recipient), ``ConcurrencyConflict`` when its delivery stream kept moving.
    """
    for _ in range(MAX_ATTEMPTS):
        try:
            async with pool.acquire() as conn:
                stored = await _once(conn, plan_id, command, metadata, chain_key, report_id)
        except StreamVersionConflict:
            continue
        if stored:
            appended([stored])
            wake.after_commit(pool)
        return stored is not None
    raise ConcurrencyConflict(f"delivery stream {stream_of(command)} kept changing")


async def _once(
    conn: Connection,
    plan_id: UUID,
    command: DeliveryCommand,
    metadata: Metadata,
    chain_key: bytes,
    report_id: EventId,
) -> DeliveryEvent | None:
    plan = await plan_states.PLANS.load(conn, plan_id)
    if plan is None:
        raise PlanNotFound(plan_id)
    stream_id = stream_of(command)
    envelopes, head = await event_store.read_stream_and_head(conn, stream_id)
    events = decide_report(joined(plan, (e.event for e in envelopes)), command)
    if not events:
        return None
    (event,) = events
    result = await appending.append(
        conn,
        stream_id,
        [NewEvent(event_id=report_id, event=event)],
        "no_stream" if head is None else head.version,
        metadata,
        chain_key=chain_key,
        notify=False,  # the relay is woken once this commits (see relay.wake)
        head=head,
    )
    return None if result.duplicate else event
