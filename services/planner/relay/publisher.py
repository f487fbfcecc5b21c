"""The relay's NATS side: one connection that nats-py keeps up, and events as JetStream messages.

No nats exception leaves this module. A failure is ``NatsUnavailable`` (the server is away
or slow: try again later) or ``NatsRefused`` (the server refused this message or stream
config: retrying alone will not help, a person must look).
"""

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC

import msgspec
import nats.errors
import structlog
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.errors import BadRequestError

from contracts.delivery_events import plan_of
from contracts.envelope import Envelope
from contracts.subjects import (
    HEADER_CORRELATION_ID,
    HEADER_EVENT_ID,
    HEADER_EVENT_TYPE,
    HEADER_MSG_ID,
    HEADER_RECORDED_AT,
    HEADER_SCHEMA_VERSION,
    HEADER_STREAM_VERSION,
    PLAN_STREAM,
    plan_subject,
)
from planner.relay.streams import StreamConfigError, ensure_streams

log = structlog.stdlib.get_logger(__name__)

PUBLISH_TIMEOUT_SECONDS = 2.0
CONNECT_TIMEOUT_SECONDS = 2
RECONNECT_WAIT_SECONDS = 1  # nats-py's pause between attempts on one server

# Refused: the same message would be refused again. Anything else nats-py raises is the
# server being away, slow or not ready (JetStream answers 503 just after a restart).
REFUSED = (
    nats.errors.MaxPayloadError,
    nats.errors.BadSubjectError,
    nats.errors.BadHeaderError,
    BadRequestError,
    StreamConfigError,
)
UNAVAILABLE = (nats.errors.Error, TimeoutError, OSError)

_encoder = msgspec.json.Encoder()


class RelayNatsError(Exception):
    """NATS failed; the outbox rows stay pending."""


class NatsUnavailable(RelayNatsError):
    """NATS is away, slow or not ready: try again after a pause."""


class NatsRefused(RelayNatsError):
    """NATS refused a message or a stream config: it will refuse it again."""


class Message(msgspec.Struct, frozen=True, kw_only=True):
    subject: str
    payload: bytes
    headers: dict[str, str]


def message_for(envelope: Envelope) -> Message:
    """The JetStream message of an event: ``Nats-Msg-Id`` is the event id, so JetStream
    stores a republished event once (within the stream's duplicate window).

    The subject names the plan, also for an event of an activation's delivery stream."""
    event_id = str(envelope.event_id)
    return Message(
        subject=plan_subject(plan_of(envelope.stream_id, envelope.event), envelope.event_type),
        payload=_encoder.encode(envelope),
        headers={
            HEADER_MSG_ID: event_id,
            HEADER_EVENT_ID: event_id,
            HEADER_EVENT_TYPE: envelope.event_type,
            HEADER_SCHEMA_VERSION: str(envelope.schema_version),
            HEADER_STREAM_VERSION: str(envelope.stream_version),
            HEADER_CORRELATION_ID: str(envelope.metadata.correlation_id),
            HEADER_RECORDED_AT: envelope.recorded_at.astimezone(UTC).isoformat(),
        },
    )


class Publisher:
    """A NATS connection for one relay. ``on_reconnected`` runs when NATS comes back."""

    def __init__(self, url: str, *, name: str, on_reconnected: Callable[[], None]) -> None:
        self._url = url
        self._name = name
        self._on_reconnected = on_reconnected
        self._nc: Client | None = None  # a new client per connect; nats-py reconnects it
        self._js: JetStreamContext | None = None
        self._outage_reported = False  # one warning per outage, the retries at debug level

    @property
    def connected(self) -> bool:
        return self._nc is not None and self._nc.is_connected

    async def connect(self) -> None:
        """Return once connected.

        With ``max_reconnect_attempts=-1`` nats-py retries an unreachable server itself,
        also on the first connect, so this waits (cancellably) while NATS is down; what
        nats-py does raise becomes ``NatsUnavailable`` for the caller to back off on.
        """
        await self.close()
        self._nc = nc = Client()
        try:
            await nc.connect(
                servers=[url.strip() for url in self._url.split(",")],  # a cluster: a,b,c
                name=self._name,
                allow_reconnect=True,
                max_reconnect_attempts=-1,
                reconnect_time_wait=RECONNECT_WAIT_SECONDS,
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                error_cb=self._error,
                disconnected_cb=self._disconnected,
                reconnected_cb=self._reconnected,
            )
        except UNAVAILABLE as error:
            raise NatsUnavailable(type(error).__name__) from error
        self._js = nc.jetstream(timeout=PUBLISH_TIMEOUT_SECONDS)
        self._outage_reported = False

    async def ensure_streams(self, replicas: int, max_age_days: int) -> None:
        async with _translated():
            await ensure_streams(self._jetstream(), replicas, max_age_days)

    async def publish(self, envelope: Envelope) -> bool:
        """Publish one event and wait for JetStream's ack; True if it was a duplicate."""
        message = message_for(envelope)
        async with _translated():
            ack = await self._jetstream().publish(
                message.subject,
                message.payload,
                timeout=PUBLISH_TIMEOUT_SECONDS,
                stream=PLAN_STREAM,  # refused unless it lands in the planner events stream
                headers=dict(message.headers),
            )
        return bool(ack.duplicate)

    async def close(self) -> None:
        nc, self._nc, self._js = self._nc, None, None
        if nc is not None and not nc.is_closed:
            await nc.close()

    def _jetstream(self) -> JetStreamContext:
        # While nats-py reconnects it would buffer a publish and send it later; refuse
        # instead, so the row simply stays pending and the order stays ours.
        if self._js is None or not self.connected:
            raise NatsUnavailable("not connected")
        return self._js

    async def _error(self, error: Exception) -> None:
        # nats-py reports every failed (re)connect attempt here: once a second in an outage.
        level = logging.DEBUG if self._outage_reported else logging.WARNING
        self._outage_reported = True
        log.log(level, "relay.nats_error", name=self._name, error=type(error).__name__)

    async def _disconnected(self) -> None:
        if self._nc is None:
            return  # our own close()
        log.warning("relay.nats_disconnected", name=self._name)

    async def _reconnected(self) -> None:
        self._outage_reported = False
        log.info("relay.nats_reconnected", name=self._name)
        self._on_reconnected()


@asynccontextmanager
async def _translated() -> AsyncIterator[None]:
    """nats-py's exceptions become ours, here and only here."""
    try:
        yield
    except REFUSED as error:
        raise NatsRefused(type(error).__name__) from error
    except UNAVAILABLE as error:
        raise NatsUnavailable(type(error).__name__) from error
