"""Plan events handled as they arrive: each plan's in stream order, plans side by side."""

import asyncio
from dataclasses import dataclass

from notifier.plan_pipeline import PlanPipeline, plan_of
from tests.support.log_capture import captured_logs


@dataclass(frozen=True)
class Message:
    subject: str


class Handler:
    """Records starts and ends; each message is held until released."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.ended: list[str] = []
        self.release: dict[str, asyncio.Event] = {}

    async def __call__(self, message: Message) -> None:
        self.started.append(message.subject)
        await self.release.setdefault(message.subject, asyncio.Event()).wait()
        self.ended.append(message.subject)

    def let_go(self, subject: str) -> None:
        self.release.setdefault(subject, asyncio.Event()).set()


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_a_message_is_keyed_by_its_plan_and_an_odd_subject_by_itself() -> None:
    assert plan_of(Message("tandem.plan.a.activated")) == "a"
    assert plan_of(Message("tandem.plan")) == "tandem.plan"


async def test_plans_go_side_by_side_and_each_plans_events_in_order() -> None:
    handler = Handler()
    pipeline = PlanPipeline(handler, limit=10)
    for subject in ("tandem.plan.a.activated", "tandem.plan.b.activated", "tandem.plan.a.resolved"):
        pipeline.add(Message(subject))
    await settle()

    # b does not wait for a; a's second event waits for its first.
    assert handler.started == ["tandem.plan.a.activated", "tandem.plan.b.activated"]

    handler.let_go("tandem.plan.b.activated")
    await settle()
    assert "tandem.plan.a.resolved" not in handler.started

    handler.let_go("tandem.plan.a.activated")
    handler.let_go("tandem.plan.a.resolved")
    await pipeline.drain()
    assert handler.ended == [
        "tandem.plan.b.activated",
        "tandem.plan.a.activated",
        "tandem.plan.a.resolved",
    ]


async def test_a_plans_next_event_waits_for_one_that_failed_too() -> None:
    order: list[str] = []

    async def handle(message: Message) -> None:
        order.append(message.subject)
        if message.subject.endswith("activated"):
            raise RuntimeError("a bug, say")

    pipeline = PlanPipeline(handle, limit=10)
    with captured_logs() as logs:
        pipeline.add(Message("tandem.plan.a.activated"))
        pipeline.add(Message("tandem.plan.a.resolved"))
        await pipeline.drain()

    assert order == ["tandem.plan.a.activated", "tandem.plan.a.resolved"]
    assert len(logs.events("consumer.handling_crashed")) == 1  # the bug is told, not lost


async def test_room_counts_the_messages_in_hand_and_frees_as_they_end() -> None:
    handler = Handler()
    pipeline = PlanPipeline(handler, limit=2)
    pipeline.add(Message("tandem.plan.a.activated"))
    pipeline.add(Message("tandem.plan.b.activated"))
    assert pipeline.room == 0

    waiting = asyncio.create_task(pipeline.wait_for_room())
    await settle()
    assert not waiting.done()

    handler.let_go("tandem.plan.a.activated")
    await asyncio.wait_for(waiting, 1)
    assert pipeline.room == 1
    handler.let_go("tandem.plan.b.activated")
    await pipeline.drain()
    assert pipeline.room == 2
