"""Opening a JetStream message: its content, or a dead letter that says why not."""

from typing import Any

import msgspec
from nats.aio.msg import Msg

from common.consuming import opened

LIMIT = 3


class Point(msgspec.Struct):
    x: int


decode = msgspec.json.Decoder(Point).decode


def delivered(times: int, data: bytes) -> Msg:
    """A JetStream message as a pull fetch hands it over: the reply subject carries its count."""
    reply = f"$JS.ACK.STREAM.durable.{times}.7.7.1700000000000000000.0"
    client: Any = None  # never used: opening a message neither acks nor replies
    return Msg(_client=client, subject="tandem.test", reply=reply, data=data)


class GivenUp:
    def __init__(self) -> None:
        self.reasons: list[str] = []

    async def __call__(self, msg: Msg, reason: str) -> None:
        self.reasons.append(reason)


async def test_a_message_within_its_limit_is_decoded() -> None:
    give_up = GivenUp()
    msg = delivered(LIMIT, b'{"x": 1}')
    point = await opened(msg, decode, limit=LIMIT, what="point", give_up=give_up)
    assert point == Point(x=1)
    assert give_up.reasons == []


async def test_a_message_delivered_too_often_is_given_up_unread() -> None:
    give_up = GivenUp()
    msg = delivered(LIMIT + 1, b'{"x": 1}')
    point = await opened(msg, decode, limit=LIMIT, what="point", give_up=give_up)
    assert point is None
    assert give_up.reasons == [f"delivered {LIMIT + 1} times without success"]


async def test_an_undecodable_message_is_given_up_with_what_it_should_have_been() -> None:
    give_up = GivenUp()
    msg = delivered(1, b'{"x": "one"}')
    point = await opened(msg, decode, limit=LIMIT, what="point", give_up=give_up)
    assert point is None
    assert len(give_up.reasons) == 1
    assert give_up.reasons[0].startswith("undecodable point: ")
