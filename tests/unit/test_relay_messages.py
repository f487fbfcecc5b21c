"""What the relay sends: subject, headers and payload of an event, and the stream definitions."""

from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID

import msgspec

from contracts.delivery_events import ActivationEscalated
from contracts.envelope import Envelope, Metadata
from contracts.ids import EventId
from contracts.subjects import (
    DELIVERY_STREAM,
    DLQ_STREAM,
    HEADER_CORRELATION_ID,
    HEADER_EVENT_ID,
    HEADER_EVENT_TYPE,
    HEADER_MSG_ID,
    HEADER_RECORDED_AT,
    HEADER_SCHEMA_VERSION,
    HEADER_STREAM_VERSION,
    PLAN_STREAM,
)
from planner.relay.publisher import message_for
from planner.relay.streams import stream_configs
from tests.support.builders import ACTIVATION_ID, NOW, PLAN_ID, plan_created

EVENT_ID = EventId(UUID("01950000-0000-7000-8000-0000000000ee"))
CORRELATION_ID = UUID("01950000-0000-7000-8000-0000000000cc")
TWO_HOURS_EAST = timezone(timedelta(hours=2))


def envelope() -> Envelope:
    return Envelope(
        event_id=EVENT_ID,
        stream_id=PLAN_ID,
        stream_version=7,
        position=42,
        event_type="plan.created",
        schema_version=1,
        recorded_at=datetime(2026, 3, 1, 14, 0, 0, 123456, tzinfo=TWO_HOURS_EAST),
        metadata=Metadata(actor="participant:x", correlation_id=CORRELATION_ID),
        event=plan_created(),
    )


def test_an_event_goes_to_its_plan_subject_with_the_envelope_as_json() -> None:
    message = message_for(envelope())
    assert message.subject == f"tandem.plan.{PLAN_ID}.created"
    assert msgspec.json.decode(message.payload, type=Envelope) == envelope()


def test_an_event_of_a_delivery_stream_goes_to_the_subject_of_its_plan() -> None:
    escalated = ActivationEscalated(activation_id=ACTIVATION_ID, tier=2, at=NOW, plan_id=PLAN_ID)
    on_its_stream = msgspec.structs.replace(
        envelope(),
        stream_id=ACTIVATION_ID,
        event_type="plan.activation_escalated",
        event=escalated,
    )
    assert message_for(on_its_stream).subject == f"tandem.plan.{PLAN_ID}.activation_escalated"


def test_the_message_id_is_the_event_id_and_the_headers_carry_the_facts() -> None:
    assert message_for(envelope()).headers == {
        HEADER_MSG_ID: str(EVENT_ID),
        HEADER_EVENT_ID: str(EVENT_ID),
        HEADER_EVENT_TYPE: "plan.created",
        HEADER_SCHEMA_VERSION: "1",
        HEADER_STREAM_VERSION: "7",
        HEADER_CORRELATION_ID: str(CORRELATION_ID),
        HEADER_RECORDED_AT: "2026-03-01T12:00:00.123456+00:00",  # RFC 3339, in UTC
    }
    assert datetime.fromisoformat(message_for(envelope()).headers[HEADER_RECORDED_AT]).tzinfo == UTC


def test_every_stream_gets_the_configured_replicas() -> None:
    configs = stream_configs(replicas=3)
    assert [c.name for c in configs] == [PLAN_STREAM, DELIVERY_STREAM, DLQ_STREAM]
    assert [c.num_replicas for c in configs] == [3, 3, 3]
