"""The outbox relay: pending outbox rows, in position order, to the JetStream plan stream.

Invariant: only the relay whose database session holds the relay lock publishes. The lock
is a session-level advisory lock on the relay's own connection, so it lives exactly as long
as that session: a relay that dies (task cancelled, process killed, connection dropped)
releases it, and a standby's next try, every ``STANDBY_RETRY_SECONDS``, takes over. In the
moment of a handover the old relay may still finish a publish the new one repeats; JetStream
stores it once (``Nats-Msg-Id`` = event id, inside the duplicate window), and the order per
plan holds because every relay awaits each ack before sending the next event.

The loop drains what is pending, then waits for a NOTIFY, stop, or a safety-net timeout
(procrastinate's worker does the same); it never sleep-polls on the hot path.
"""

import asyncio
import enum
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from logging import ERROR, WARNING

import structlog

from common.retention.streams import DEFAULT_MAX_AGE_DAYS
from common.waiting import Backoff, in_background, unless_stopped, wait_any
from contracts.envelope import Envelope
from planner import metrics
from planner.relay import connection, outbox
from planner.relay.batch import Outcome, publish_batch
from planner.relay.connection import RelayConnection
from planner.relay.outbox import UndecodableEvent
from planner.relay.publisher import NatsRefused, NatsUnavailable, Publisher, RelayNatsError
from planner.store.event_store import EventStoreError

log = structlog.stdlib.get_logger(__name__)

BATCH_SIZE = 500
SAFETY_NET_SECONDS = 5.0  # a missed NOTIFY delays an event by this much at most
STANDBY_RETRY_SECONDS = 1.0


class RelayState(enum.StrEnum):
    STARTING = "starting"  # connecting to NATS, then to the database
    STANDBY = "standby"  # another relay holds the lock
    ACTIVE = "active"
    STOPPED = "stopped"


class Relay:
    """Publishes the outbox to JetStream while ``run`` runs; one active per database."""

    def __init__(
        self,
        database_url: str,
        nats_url: str,
        *,
        name: str = "relay",
        replicas: int = 1,
        max_age_days: int = DEFAULT_MAX_AGE_DAYS,
        batch_size: int = BATCH_SIZE,
        safety_net_seconds: float = SAFETY_NET_SECONDS,
    ) -> None:
        self.name = name
        self.state = RelayState.STARTING
        self.published_count = 0  # events JetStream acked from this relay, duplicates included
        self._database_url = database_url
        self._replicas = replicas
        self._max_age_days = max_age_days
        self._batch_size = batch_size
        self._safety_net = safety_net_seconds
        self._wake = asyncio.Event()  # an outbox NOTIFY arrived (or the connection was lost)
        self._nats_back = asyncio.Event()  # nats-py reconnected
        self._db_backoff = Backoff()
        self._publisher = Publisher(nats_url, name=name, on_reconnected=self._nats_back.set)

    @property
    def active(self) -> bool:
        return self.state is RelayState.ACTIVE

    @property
    def nats_connected(self) -> bool:
        return self._publisher.connected

    def wake_if_active(self) -> bool:
        """Look at the outbox now, if this relay is the active one; say whether it is."""
        if self.state is not RelayState.ACTIVE:
            return False
        self._wake.set()
        return True

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until ``stop`` is set. NATS and database outages are waited out, not raised."""
        try:
            if not await self._connect_nats(stop):
                return
            while not stop.is_set():
                try:
                    await self._session(stop)
                except EventStoreError as error:
                    # An undecodable event needs a newer release; the rest is an outage.
                    level = ERROR if isinstance(error, UndecodableEvent) else WARNING
                    log.log(level, "relay.session_failed", name=self.name, error=str(error))
                    await wait_any([stop], self._db_backoff.next())
        finally:
            self.state = RelayState.STOPPED
            await self._publisher.close()

    async def _connect_nats(self, stop: asyncio.Event) -> bool:
        """Connect before taking the lock, so a relay cut off from NATS leaves it to others."""
        backoff = Backoff()
        while not stop.is_set():
            try:
                return await unless_stopped(self._connected(), stop) is not None
            except NatsUnavailable as error:
                log.warning("relay.nats_unavailable", name=self.name, error=str(error))
                await wait_any([stop], backoff.next())
        return False

    async def _connected(self) -> bool:
        await self._publisher.connect()
        return True

    async def _session(self, stop: asyncio.Event) -> None:
        """One database session: stand by for the lock, then relay until stop or a failure."""
        conn = await connection.connect(self._database_url, self._wake.set)
        try:
            self.state = RelayState.STANDBY
            while not await connection.try_relay_lock(conn):
                if await wait_any([stop], STANDBY_RETRY_SECONDS):
                    return
            self.state = RelayState.ACTIVE
            log.info("relay.active", name=self.name)
            await self._relay(conn, stop)
        finally:
            self.state = RelayState.STARTING
            await connection.close(conn)

    async def _relay(self, conn: RelayConnection, stop: asyncio.Event) -> None:
        # The connection LISTENs since before the first drain, so nothing committed between
        # a drain and the wait that follows it goes unheard.
        backoff = Backoff()
        streams_ready = False
        while not stop.is_set() and not conn.is_closed():
            self._wake.clear()
            self._nats_back.clear()
            if not self._publisher.connected:
                # nats-py is reconnecting and the outbox grows meanwhile. A wiped or new
                # server may lack the streams, so they are ensured again once it is back.
                streams_ready = False
                await wait_any([stop, self._nats_back, self._wake], self._safety_net)
                continue
            try:
                if not streams_ready:
                    await self._ensure_streams()
                    streams_ready = True
                more = await self._drain(conn)
            except RelayNatsError:
                streams_ready = False
                # NOTIFYs do not cut this pause short; NATS coming back does.
                await wait_any([stop, self._nats_back], backoff.next())
                continue
            backoff.reset()
            self._db_backoff.reset()  # only a drain proves the database works, not a connect
            if not more:
                await wait_any([stop, self._wake], self._safety_net)
        if conn.is_closed():  # the lock went with the session: start over as a standby
            raise EventStoreError("the relay's database session was lost")

    async def _ensure_streams(self) -> None:
        try:
            await self._publisher.ensure_streams(self._replicas, self._max_age_days)
        except RelayNatsError as error:
            log.log(_level(error), "relay.streams_failed", name=self.name, error=repr(error))
            raise

    async def _drain(self, conn: RelayConnection) -> bool:
        """Publish one batch of pending events (see ``batch``); True when more wait.

        More wait behind a full batch, and behind one that stopped before an event that
        does not decode (which then fails the next drain, visibly, instead of waiting for the
        safety net). A batch that held every pending event needs no second look: whatever
        commits after its read wakes the relay (the loop clears its wake before the drain),
        so an idle relay costs one read per wake, not two.
        """
        batch = await outbox.pending_envelopes(conn, self._batch_size)
        # The lock went with a closed session: leave the rest to the relay that has it now.
        outcomes = await publish_batch(batch.envelopes, self._publisher.publish, conn.is_closed)
        acked, failure = self._tally(outcomes)
        # What JetStream acked is recorded even when another publish failed.
        await outbox.mark_published(conn, acked)
        if failure is not None:
            raise failure
        return batch.more

    def _tally(
        self, outcomes: list[tuple[Envelope, Outcome]]
    ) -> tuple[list[int], BaseException | None]:
        """The positions JetStream acked, and the first failure; each outcome logged."""
        acked: list[int] = []
        failure: BaseException | None = None
        for envelope, outcome in outcomes:
            if isinstance(outcome, BaseException):
                failure = failure or outcome
                if isinstance(outcome, RelayNatsError):
                    log.log(
                        _level(outcome),
                        "relay.publish_failed",
                        event_id=envelope.event_id,
                        position=envelope.position,
                        error=repr(outcome),
                    )
                continue
            acked.append(envelope.position)
            self.published_count += 1
            metrics.published(envelope.recorded_at, duplicate=outcome)
            log.debug(
                "relay.published",
                event_id=envelope.event_id,
                position=envelope.position,
                duplicate=outcome,
                correlation_id=envelope.metadata.correlation_id,
            )
        return acked, failure


def _level(error: RelayNatsError) -> int:
    # Refused needs a person (the relay keeps retrying: skipping would lose the event and
    # break the order of its plan); unavailable is an outage that passes.
    return ERROR if isinstance(error, NatsRefused) else WARNING


@asynccontextmanager
async def running(relay: Relay) -> AsyncIterator[Relay]:
    """Run ``relay`` in a background task for the duration of the block, then stop it."""
    named = log.bind(name=relay.name)
    task_name = f"relay:{relay.name}"
    async with in_background(
        relay.run, name=task_name, log=named, late="relay.stop_timeout"
    ) as task:
        task.add_done_callback(_report_crash)
        yield relay


def _report_crash(task: asyncio.Task[None]) -> None:
    # run() waits outages out, so an exception here is a bug: say so now, not at shutdown.
    if not task.cancelled() and task.exception() is not None:
        log.error("relay.crashed", task=task.get_name(), exc_info=task.exception())
