"""Sending what the ledger holds: lease a claim, check the activation, send, record.

Each send runs as its own task (bounded), so one slow receiver never holds back the
others; a crash anywhere leaves the claim leased, and it is sent again when the lease
lapses (or at once, by a notifier that finds its holder gone), under the same delivery id.

A round that fails for now leaves the claim in the ledger with the time of its next round
(``notifier.domain.retrying``), and the activation is checked again before it: an alert
of a resolved activation is never retried. An alert failing long enough to count as
failed hurries its tier's timer and, once every alert to its recipient has, tells the one
who asked that they could not be reached, while its rounds go on.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import structlog

from common.capabilities import webhook_secret
from common.waiting import raised_at
from contracts.vocabulary import ChannelKind, MessageKind
from notifier import correlation
from notifier.alerting import links
from notifier.alerting.handlers import Alerting
from notifier.channels.base import ChannelAdapter, DeliveryOutcome, OutboundMessage
from notifier.domain.escalation import ActivationStatus
from notifier.ledger import leasing, outcomes, timers
from notifier.ledger.leasing import Lease
from notifier.ledger.sessions import DATABASE_ERRORS
from notifier.loops import failures
from notifier.metrics import ACTIVATION_TO_FIRST_DELIVERY, DELIVERIES
from notifier.settings import NotifierSettings

log = structlog.stdlib.get_logger("notifier.sender")

MAX_IN_FLIGHT = 32


class Sender:
    def __init__(
        self,
        settings: NotifierSettings,
        pool: asyncpg.Pool,
        adapters: Mapping[ChannelKind, ChannelAdapter],
        alerting: Alerting,
    ) -> None:
        self.settings = settings
        self.alerting = alerting
        self.pool = pool
        self.adapters = adapters
        self.schedule = settings.retry_schedule()
        self.in_flight: set[asyncio.Task[None]] = set()
        self.slots = asyncio.Semaphore(MAX_IN_FLIGHT)
        self.on_done: Callable[[], None] = lambda: None
        """Called as a send ends while claims may be waiting for its slot, and as a round
        fails (the sending loop then sleeps until the earliest next round, not longer)."""
        self.holder: int | None = None
        """This notifier's lease holder number, once it holds its lock (``presence``)."""
        self._full = False  # the last drain took every slot: claims may have been left

    async def drain(self) -> int:
        """Start sending every claim that is free and due; return how many were started."""
        room = MAX_IN_FLIGHT - len(self.in_flight)
        if room <= 0:
            self._full = True
            return 0
        leases = await leasing.lease(
            self.pool,
            self.settings.lease_seconds,
            room,
            holder=self.holder,
            now=datetime.now(UTC),
        )
        # Fewer than asked for: nothing free was left behind, and new claims NOTIFY.
        self._full = len(leases) >= room
        for lease in leases:
            task = asyncio.create_task(self.deliver(lease))
            self.in_flight.add(task)
            task.add_done_callback(self._done)
        return len(leases)

    def _done(self, task: asyncio.Task[None]) -> None:
        self.in_flight.discard(task)
        if self._full:
            self.on_done()

    async def stop(self) -> None:
        for task in self.in_flight:
            task.cancel()
        await asyncio.gather(*self.in_flight, return_exceptions=True)

    async def deliver(self, lease: Lease) -> None:
        with correlation.bound(lease.correlation_id):
            try:
                async with self.slots:
                    await self._deliver(lease)
            except DATABASE_ERRORS as exc:
                # The claim stays leased; when the lease lapses it is sent again, same id.
                log.warning(
                    "delivery.deferred", delivery_id=lease.delivery_id, error=type(exc).__name__
                )
            except Exception as exc:  # noqa: BLE001 - a bug: the same, and said louder
                log.error(
                    "delivery.deferred",
                    delivery_id=lease.delivery_id,
                    error=type(exc).__name__,
                    at=raised_at(exc),
                )

    async def _deliver(self, lease: Lease) -> None:
        if _answered(lease):
            await outcomes.skip(self.pool, lease.delivery_id, "activation already resolved")
            _count(lease, "skipped")
            log.info("delivery.skipped", delivery_id=lease.delivery_id, reason="resolved")
            return
        async with self._holding(lease.delivery_id):
            outcome = await self.adapters[lease.channel.kind].send(self._message(lease))
        _log(lease, outcome)
        if outcome.sent:
            await self._record_sent(lease, outcome)
            return
        recorded = await failures.record(self.pool, self.schedule, lease, outcome)
        _count(lease, "retried" if recorded.retried else "failed")
        self.on_done()  # a next round may be due before the sending loop would look again
        if recorded.counts and lease.message is MessageKind.ALERT and lease.activation_id:
            await self._not_reached(lease, lease.activation_id)

    async def _not_reached(self, lease: Lease, activation_id: UUID) -> None:
        """An alert's failure counts: hurry its tier, and tell the one who asked."""
        await timers.hurry_if_tier_failed(self.pool, activation_id, lease.tier)
        async with self.pool.acquire() as conn, conn.transaction():
            await self.alerting.could_not_reach(conn, activation_id, lease.recipient_id)

    async def _record_sent(self, lease: Lease, outcome: DeliveryOutcome) -> None:
        _count(lease, "sent")
        if not (lease.message is MessageKind.ALERT and lease.activation_id):
            await outcomes.finish(self.pool, lease.delivery_id, outcome)
            return
        recorded = await outcomes.record_alert_sent(
            self.pool, lease.delivery_id, lease.activation_id, outcome
        )
        if recorded is not None:
            first = recorded.first_after_seconds
        else:  # resolved meanwhile: the all-clear this alert is owed, in one transaction
            async with self.pool.acquire() as conn, conn.transaction():
                await self.alerting.alert_sent(
                    conn, lease.activation_id, lease.recipient_id, lease.channel
                )
                await outcomes.finish(conn, lease.delivery_id, outcome)
                first = await outcomes.first_alert_sent(conn, lease.activation_id)
        if first is not None:
            ACTIVATION_TO_FIRST_DELIVERY.observe(max(0.0, first))

    @contextlib.asynccontextmanager
    async def _holding(self, delivery_id: UUID) -> AsyncIterator[None]:
        """Renew the claim's lease while it is sent, so a send slower than the lease (a
        receiver retried with back-off) is never leased and sent a second time."""
        renewing = asyncio.create_task(self._renew(delivery_id))
        try:
            yield
        finally:
            renewing.cancel()
            await asyncio.wait({renewing})  # unlike awaiting it, keeps our own cancellation

    async def _renew(self, delivery_id: UUID) -> None:
        seconds = self.settings.lease_seconds
        while True:
            await asyncio.sleep(seconds / 3)
            try:
                await leasing.renew(self.pool, delivery_id, seconds)
            except Exception as exc:  # noqa: BLE001 - the next renewal may get through
                log.warning(
                    "delivery.renew_failed", delivery_id=delivery_id, error=type(exc).__name__
                )

    def _message(self, lease: Lease) -> OutboundMessage:
        lease = links.fill(lease, self.settings.secret_key, self.settings.public_url)
        secret = None
        if lease.channel.kind is ChannelKind.WEBHOOK:
            secret = webhook_secret(
                self.settings.secret_key, lease.recipient_id, lease.channel.address
            )
        return OutboundMessage(
            delivery_id=lease.delivery_id,
            channel=lease.channel.kind,
            address=lease.channel.address,
            subject=lease.subject,
            text=lease.body,
            payload=lease.payload,
            webhook_secret=secret,
        )


def _answered(lease: Lease) -> bool:
    """An alert for a resolved activation pages nobody (a replay, a late claim, a retry),
    nor does a note that nobody answered it."""
    return lease.message in _OVER_ONCE_RESOLVED and lease.activation_status is (
        ActivationStatus.RESOLVED
    )


_OVER_ONCE_RESOLVED = (MessageKind.ALERT, MessageKind.NO_ANSWER)


def _count(lease: Lease, outcome: str) -> None:
    DELIVERIES.labels(
        channel=lease.channel.kind.value, message=lease.message.value, outcome=outcome
    ).inc()


def _log(lease: Lease, outcome: DeliveryOutcome) -> None:
    # Ids and outcomes only: never the address, the text or the recipient's name.
    log.info(
        "delivery.sent" if outcome.sent else "delivery.failed",
        delivery_id=lease.delivery_id,
        activation_id=lease.activation_id,
        channel=lease.channel.kind.value,
        message=lease.message.value,
        tier=lease.tier,
        attempts=outcome.attempts,
        reason=outcome.reason,
    )
