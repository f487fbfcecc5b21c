"""The notifier's fetch loop outlives a failed fetch: it logs, backs off and fetches again.

nats-py ends an empty long poll in its own ``nats.errors.TimeoutError``, or in a bare
``TimeoutError`` when the deadline runs out between its two pull requests; a lost connection
is a ``nats.errors.Error`` or an ``OSError``; anything else is a bug. None may end the loop,
nor may a message whose settling or handling raised. The failures are injected in front of
a real pull subscription on the session's nats-server, whose next fetch must still reach
the consumer.
"""

import asyncio
from uuid import uuid4

import nats
import nats.errors
import pytest
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig

from common.waiting import Faults
from notifier.intake import fetching
from tests.support.log_capture import captured_logs

pytestmark = pytest.mark.integration

PLANS = ("a", "b")


class FailingFirst:
    """A real pull subscription whose first fetches fail as nats-py can make them fail."""

    def __init__(self, real: JetStreamContext.PullSubscription, failures: list[Exception]):
        self.real = real
        self.failures = failures

    async def fetch(
        self,
        batch: int = 1,
        timeout: float | None = 5,  # noqa: ASYNC109 - nats-py's signature, not ours
    ) -> list[Msg]:
        if self.failures:
            raise self.failures.pop(0)
        return await self.real.fetch(batch, timeout=timeout)


class Recording:
    """Stands in for the notifier's consumer: acks each message and keeps its subject.

    Its first ``failures`` are raised instead, one message each, before the ack: the message
    comes again after the ack wait.
    """

    def __init__(
        self, expected: int, stop: asyncio.Event, failures: list[Exception] | None = None
    ) -> None:
        self.subjects: list[str] = []
        self.expected = expected
        self.stop = stop
        self.failures = failures or []

    async def process(self, msg: Msg) -> None:
        if self.failures:
            raise self.failures.pop(0)
        await msg.ack()
        self.subjects.append(msg.subject)
        if len(self.subjects) == self.expected:
            self.stop.set()


async def test_a_fetch_timeout_or_a_nats_or_socket_error_is_followed_by_the_next_batch(
    nats_url: str,
) -> None:
    prefix = f"test.{uuid4().hex}"
    subjects = [f"{prefix}.{plan}.activated" for plan in PLANS]
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    stream = f"TEST_FETCH_{uuid4().hex}"
    await js.add_stream(name=stream, subjects=[f"{prefix}.>"])
    try:
        for subject in subjects:
            await js.publish(subject, b"{}")
        real = await js.pull_subscribe(f"{prefix}.>", durable="notifier-test", stream=stream)
        failures: list[Exception] = [
            TimeoutError(),  # what nats-py raises when its deadline ran out between requests
            nats.errors.TimeoutError(),
            nats.errors.Error("nats: injected"),
            ConnectionResetError(),
            KeyError("injected"),  # a bug in the client: logged louder, and still no end
        ]
        stop = asyncio.Event()
        consumer = Recording(len(subjects), stop)
        with captured_logs() as logs:
            consuming = fetching.consume(FailingFirst(real, failures), consumer, stop)  # type: ignore[arg-type]
            await asyncio.wait_for(consuming, timeout=30)
    finally:
        await js.delete_stream(stream)
        await nc.close()

    assert failures == []
    assert sorted(consumer.subjects) == subjects
    failed = logs.events("consumer.fetch_failed")
    assert [line["error"] for line in failed] == ["Error", "ConnectionResetError", "KeyError"]
    assert [line["level"] for line in failed] == ["warning", "warning", "error"]
    delays = [line["retry_in"] for line in failed]
    assert delays == sorted(delays)  # backed off, longer each time
    assert delays[0] > 0


async def test_a_message_whose_settling_or_handling_raised_comes_again(nats_url: str) -> None:
    prefix = f"test.{uuid4().hex}"
    subjects = [f"{prefix}.{plan}.activated" for plan in PLANS]
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    stream = f"TEST_FETCH_{uuid4().hex}"
    await js.add_stream(name=stream, subjects=[f"{prefix}.>"])
    try:
        for subject in subjects:
            await js.publish(subject, b"{}")
        config = ConsumerConfig(ack_wait=1.0)  # unsettled messages come again soon
        real = await js.pull_subscribe(
            f"{prefix}.>", durable="notifier-test", stream=stream, config=config
        )
        stop = asyncio.Event()
        # The first message's ack is lost (a NATS error); the second one's handling raises.
        failures: list[Exception] = [nats.errors.ConnectionClosedError(), RuntimeError("bug")]
        consumer = Recording(len(subjects), stop, failures)
        with captured_logs() as logs:
            await asyncio.wait_for(fetching.consume(real, consumer, stop), timeout=30)
    finally:
        await js.delete_stream(stream)
        await nc.close()

    assert failures == []
    assert sorted(consumer.subjects) == subjects
    [settle] = logs.events("consumer.settle_failed")
    assert settle["error"] == "ConnectionClosedError"
    [handling] = logs.events("consumer.fetch_failed")
    assert (handling["error"], handling["level"]) == ("RuntimeError", "error")


class Idle:
    """A subscription on a stream with nothing new: after its failures, every long poll ends
    empty, in nats-py's ``TimeoutError``."""

    def __init__(self, failures: list[Exception]) -> None:
        self.failures = failures

    async def fetch(
        self,
        batch: int = 1,
        timeout: float | None = 5,  # noqa: ASYNC109 - nats-py's signature, not ours
    ) -> list[Msg]:
        if self.failures:
            raise self.failures.pop(0)
        await asyncio.sleep(0.05)  # the poll, short
        raise nats.errors.TimeoutError


async def test_an_empty_poll_after_a_failed_fetch_clears_the_loop_from_readiness() -> None:
    faults = Faults()
    stop = asyncio.Event()
    seen: list[dict[str, str]] = []
    subscription = Idle([ConnectionResetError()])

    async def watch() -> None:
        while not stop.is_set():
            seen.append(dict(faults.failing))
            if subscription.failures == [] and not faults.failing:
                stop.set()  # an empty poll after the failure cleared it
            await asyncio.sleep(0.01)

    with captured_logs():
        consuming = fetching.consume(subscription, Recording(1, stop), stop, faults)  # type: ignore[arg-type]
        await asyncio.wait_for(asyncio.gather(consuming, watch()), timeout=15)

    assert {"intake": "ConnectionResetError"} in seen  # shown while it backed off
    assert faults.failing == {}
