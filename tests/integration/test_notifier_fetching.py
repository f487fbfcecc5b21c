"""The notifier's fetch loop outlives a failed fetch: it logs, backs off and fetches again.

nats-py ends an empty long poll in its own ``nats.errors.TimeoutError``, or in a bare
``TimeoutError`` when the deadline runs out between its two pull requests; a lost connection
is a ``nats.errors.Error`` or an ``OSError``. None may end the loop. The failures are injected
in front of a real pull subscription on the session's nats-server, whose next fetch must
still reach the consumer.
"""

import asyncio
from uuid import uuid4

import nats
import nats.errors
import pytest
from nats.aio.msg import Msg
from nats.js import JetStreamContext

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
    """Stands in for the notifier's consumer: acks each message and keeps its subject."""

    def __init__(self, expected: int, stop: asyncio.Event) -> None:
        self.subjects: list[str] = []
        self.expected = expected
        self.stop = stop

    async def process(self, msg: Msg) -> None:
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
    failed = [line["error"] for line in logs.events("consumer.fetch_failed")]
    assert failed == ["Error", "ConnectionResetError"]
