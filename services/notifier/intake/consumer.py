"""The notifier's durable pull consumer on the planner's events: those it acts on, only.

The consumer filters on one subject per event type the notifier acts on
(``filter_subjects``, nats-server 2.10 or later), so the server never sends it the rest of
a plan's history (check-ins, delivery reports, edits of the plan).

Every message is classified: handled (ack after the ledger commits), transient (nak with a
delay: the database hiccuped, an answer arrived before its activation, or handling raised
something unforeseen, logged as a bug), or permanent
(dead-lettered with its reason, then term). The bound on deliveries is enforced here:
the server's max-deliveries advisory is not stored, so it cannot be relied on.
"""

import asyncpg
import msgspec
import structlog
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import BadRequestError, NotFoundError
from nats.js.manager import JetStreamManager

from common import consuming
from common.consuming import FETCH_ERRORS, opened, retry_delay
from common.waiting import raised_at
from contracts.envelope import Envelope
from contracts.subjects import PLAN_STREAM, plan_event_filter
from notifier import correlation
from notifier.alerting.handlers import ACTED_ON, Alerting, NotYetKnown, acts_on
from notifier.domain.erasure import erased_subject
from notifier.erasing.eraser import Eraser, NotSettledYet
from notifier.ledger.sessions import DATABASE_ERRORS
from notifier.metrics import DEAD_LETTERS, REDELIVERIES
from notifier.settings import NotifierSettings

log = structlog.stdlib.get_logger("notifier.consumer")

_envelope = msgspec.json.Decoder(Envelope)
OWNED_FIELDS = ("ack_policy", "ack_wait", "max_deliver", "deliver_policy")


def subjects_acted_on() -> list[str]:
    """One filter per event type ``Alerting.handle`` acts on, in a stable order."""
    return sorted(plan_event_filter(str(cls.__struct_config__.tag)) for cls in ACTED_ON)


def consumer_config(settings: NotifierSettings) -> ConsumerConfig:
    return ConsumerConfig(
        durable_name=settings.consumer_name,
        filter_subjects=subjects_acted_on(),
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=settings.ack_wait_seconds,
        deliver_policy=DeliverPolicy.ALL,
        # No server-side bound: we count deliveries ourselves and dead-letter with a reason.
        max_deliver=-1,
    )


async def ensure_consumer(jsm: JetStreamManager, wanted: ConsumerConfig) -> None:
    """Create the durable, or update it when its live config drifted from the code's.

    nats-py never updates an existing durable on its own.
    """
    name = wanted.durable_name or ""
    try:
        live = (await jsm.consumer_info(PLAN_STREAM, name)).config
    except NotFoundError:
        created = await jsm.add_consumer(PLAN_STREAM, wanted)
        log.info("consumer.created", name=name)
        _check_filters(created.config, wanted)
        return
    drift = [f for f in OWNED_FIELDS if getattr(live, f) != getattr(wanted, f)]
    if _filters(live) != _filters(wanted):
        drift.append("filter_subjects")  # a durable of an older release read all of tandem.plan.>
    if not drift:
        return
    try:
        updated = await jsm.add_consumer(PLAN_STREAM, wanted)  # a create on a live name updates
    except BadRequestError as exc:
        if drift != ["filter_subjects"]:
            raise
        # A server that cannot change a durable's filters: read everything, as before.
        log.warning("consumer.filters_unsupported", name=name, error=exc.description)
        return
    log.info("consumer.updated", name=name, fields=",".join(drift))
    _check_filters(updated.config, wanted)


def _check_filters(live: ConsumerConfig, wanted: ConsumerConfig) -> None:
    if _filters(live) != _filters(wanted):
        # A server before 2.10 ignores filter_subjects: every plan event comes, and the
        # ones not acted on are acked unread (``acts_on``).
        log.warning("consumer.filters_unsupported", name=wanted.durable_name)


def _filters(config: ConsumerConfig) -> list[str]:
    """A consumer's filters, whichever field holds them (one filter may come back in either)."""
    if config.filter_subjects:
        return sorted(config.filter_subjects)
    return [config.filter_subject] if config.filter_subject else []


class Consumer:
    def __init__(
        self, settings: NotifierSettings, pool: asyncpg.Pool, js: JetStreamContext
    ) -> None:
        self.settings = settings
        self.pool = pool
        self.js = js
        self.alerting = Alerting(settings)
        self.eraser = Eraser(settings, pool, js)

    async def process(self, msg: Msg) -> None:
        """Handle one message and settle it: ack, nak(delay) or dead-letter + term."""
        delivered = msg.metadata.num_delivered
        if delivered > 1:
            REDELIVERIES.inc()
        limit = self.settings.max_deliveries
        envelope = await opened(
            msg, _envelope.decode, limit=limit, what="event", give_up=self.dead_letter
        )
        if envelope is None:
            return
        with correlation.bound(envelope.metadata.correlation_id):
            await self._handle(msg, envelope, delivered)

    async def _handle(self, msg: Msg, envelope: Envelope, delivered: int) -> None:
        if not acts_on(envelope.event):
            # Filtered out by the server, but for a dead letter retried by hand or a server
            # before 2.10: nothing to do, and no transaction for it.
            await msg.ack()
            return
        try:
            await self._apply(msg, envelope, delivered)
        except NotYetKnown:
            await msg.nak(delay=retry_delay(delivered))  # its activation is still on the way
            return
        except NotSettledYet:
            await msg.nak(delay=retry_delay(delivered))  # the person's messages are still wanted
            return
        except (*DATABASE_ERRORS, *FETCH_ERRORS) as exc:
            log.warning("consumer.retry", event_id=envelope.event_id, error=type(exc).__name__)
            await msg.nak(delay=retry_delay(delivered))
            return
        except Exception as exc:  # noqa: BLE001 - a bug: transient, dead-lettered past the bound
            log.error(
                "consumer.failed",
                event_id=envelope.event_id,
                error=type(exc).__name__,
                at=raised_at(exc),
            )
            await msg.nak(delay=retry_delay(delivered))
            return
        await msg.ack()
        log.debug("consumer.handled", event_id=envelope.event_id, event_type=envelope.event_type)

    async def _apply(self, msg: Msg, envelope: Envelope, delivered: int) -> None:
        """An erasure does its own transactions (a vacuum runs outside any); the rest is
        applied in one."""
        if erased_subject(envelope.event) is not None:
            await self.eraser.erase(envelope, msg.metadata.sequence.stream, delivered)
            return
        async with self.pool.acquire() as conn, conn.transaction():
            await self.alerting.handle(conn, envelope)

    async def dead_letter(self, msg: Msg, reason: str) -> None:
        await consuming.dead_letter(self.js, msg, reason)
        DEAD_LETTERS.inc()
        log.error("consumer.dead_lettered", subject=msg.subject, reason=reason)
