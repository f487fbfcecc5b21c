"""One batch of the outbox: plans side by side, each plan's events one at a time, in order."""

import asyncio
from datetime import UTC, datetime
from uuid import UUID

from contracts.envelope import Envelope, Metadata
from contracts.ids import EventId
from planner.relay.batch import publish_batch
from tests.support.builders import plan_created

A, B, C = (UUID(int=n) for n in (0xA, 0xB, 0xC))


def event(plan: UUID, position: int) -> Envelope:
    return Envelope(
        event_id=EventId(UUID(int=1000 + position)),
        stream_id=plan,
        stream_version=position,
        position=position,
        event_type="plan.created",
        schema_version=1,
        recorded_at=datetime(2026, 3, 1, tzinfo=UTC),
        metadata=Metadata(actor="participant:x", correlation_id=UUID(int=1)),
        event=plan_created(),
    )


class FakeJetStream:
    """Acks when told to; records the order of sends and how many were awaiting an ack."""

    def __init__(self, failing: frozenset[int] = frozenset()) -> None:
        self.sent: list[int] = []
        self.most_in_flight = 0
        self.acks: dict[int, asyncio.Event] = {}
        self.failing = failing

    async def publish(self, envelope: Envelope) -> bool:
        self.sent.append(envelope.position)
        ack = self.acks.setdefault(envelope.position, asyncio.Event())
        in_flight = sum(1 for p in self.sent if not self.acks[p].is_set())
        self.most_in_flight = max(self.most_in_flight, in_flight)
        await ack.wait()
        if envelope.position in self.failing:
            raise ConnectionError(f"no ack for {envelope.position}")
        return False

    async def ack_all_as_they_come(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            for ack in list(self.acks.values()):
                ack.set()
            await asyncio.sleep(0)


async def run(jetstream: FakeJetStream, envelopes: list[Envelope]) -> list[tuple[int, object]]:
    stop = asyncio.Event()
    acker = asyncio.create_task(jetstream.ack_all_as_they_come(stop))
    try:
        outcomes = await publish_batch(envelopes, jetstream.publish, lambda: False)
    finally:
        stop.set()
        await acker
    return [
        (e.position, type(o).__name__ if isinstance(o, BaseException) else o) for e, o in outcomes
    ]


async def test_events_of_different_plans_await_their_acks_together() -> None:
    jetstream = FakeJetStream()

    outcomes = await run(jetstream, [event(A, 1), event(B, 2), event(C, 3)])

    assert jetstream.most_in_flight == 3
    assert outcomes == [(1, False), (2, False), (3, False)]


async def test_a_plans_next_event_is_sent_only_once_its_previous_one_was_acked() -> None:
    jetstream = FakeJetStream()

    outcomes = await run(jetstream, [event(A, 1), event(A, 2), event(A, 3)])

    assert jetstream.most_in_flight == 1
    assert outcomes == [(1, False), (2, False), (3, False)]


async def test_events_are_sent_in_position_order() -> None:
    jetstream = FakeJetStream()
    batch = [event(A, 1), event(B, 2), event(A, 3), event(C, 4), event(B, 5), event(C, 6)]

    await run(jetstream, batch)

    assert jetstream.sent == [1, 2, 3, 4, 5, 6]


async def test_after_a_failure_nothing_more_is_sent_and_what_was_sent_is_reported() -> None:
    jetstream = FakeJetStream(failing=frozenset({1}))

    # 1 and 2 go out together; 3 waits for 1, which failed: 3 and 4 are not sent.
    outcomes = await run(jetstream, [event(A, 1), event(B, 2), event(A, 3), event(C, 4)])

    assert jetstream.sent == [1, 2]
    assert outcomes == [(1, "ConnectionError"), (2, False)]


async def test_nothing_is_sent_once_stopped() -> None:
    jetstream = FakeJetStream()

    outcomes = await publish_batch([event(A, 1), event(B, 2)], jetstream.publish, lambda: True)

    assert outcomes == []
    assert jetstream.sent == []
