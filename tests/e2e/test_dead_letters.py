"""What the notifier cannot handle is dead-lettered with its reason, never dropped silently."""

from datetime import UTC, datetime
from uuid import UUID

import msgspec
import nats
import pytest

from contracts.envelope import Envelope, Metadata
from contracts.events import ActivationAcknowledged
from contracts.ids import ActivationId, EventId, RecipientId
from contracts.subjects import DLQ_HEADER_REASON, DLQ_STREAM, plan_subject
from tests.e2e.conftest import Stack
from tests.support.eventually import eventually

pytestmark = pytest.mark.integration

PLAN = UUID("01950000-0000-7000-8000-000000000001")


async def dead_letters(stack: Stack) -> list[tuple[str, str]]:
    """(subject, reason) of every dead letter so far."""
    connection = await nats.connect(stack.nats_url)
    try:
        js = connection.jetstream()
        info = await js.stream_info(DLQ_STREAM)
        letters = []
        for sequence in range(info.state.first_seq, info.state.last_seq + 1):
            if info.state.messages == 0:
                break
            message = await js.get_msg(DLQ_STREAM, sequence)
            letters.append((message.subject, (message.headers or {})[DLQ_HEADER_REASON]))
        return letters
    finally:
        await connection.close()


async def publish(stack: Stack, subject: str, data: bytes, msg_id: str) -> None:
    connection = await nats.connect(stack.nats_url)
    try:
        await connection.jetstream().publish(subject, data, headers={"Nats-Msg-Id": msg_id})
    finally:
        await connection.close()


async def test_an_undecodable_event_is_dead_lettered_with_its_reason(stack: Stack) -> None:
    subject = plan_subject(PLAN, "plan.activated")
    await publish(stack, subject, b"{not an envelope", "garbage-1")

    async def dead_lettered() -> bool:
        return any(
            reason.startswith("undecodable event") for _, reason in await dead_letters(stack)
        )

    await eventually(dead_lettered, timeout=15)
    [(letter_subject, _)] = await dead_letters(stack)
    assert letter_subject == "tandem.dlq." + subject.removeprefix("tandem.")


async def test_an_event_that_keeps_failing_is_dead_lettered_after_the_delivery_bound(
    stack: Stack,
) -> None:
    # An acknowledgement of an activation the notifier never saw: retried, then given up.
    event = ActivationAcknowledged(
        activation_id=ActivationId(UUID("01950000-0000-7000-8000-000000000041")),
        by=RecipientId(UUID("01950000-0000-7000-8000-0000000000b1")),
        at=datetime(2026, 11, 23, tzinfo=UTC),
    )
    envelope = Envelope(
        event_id=EventId(UUID("01950000-0000-7000-8000-0000000000e1")),
        stream_id=PLAN,
        stream_version=2,
        position=2,
        event_type="plan.activation_acknowledged",
        schema_version=1,
        recorded_at=event.at,
        metadata=Metadata(actor="test", correlation_id=PLAN),
        event=event,
    )
    data = msgspec.json.encode(envelope)
    await publish(stack, plan_subject(PLAN, envelope.event_type), data, "ack-unknown")

    async def dead_lettered() -> bool:
        return any("delivered 4 times" in reason for _, reason in await dead_letters(stack))

    await eventually(dead_lettered, timeout=20)
