"""The notifier's durable pull consumer on the planner's events.

Every message is classified: handled (ack after the ledger commits), transient (nak with a
delay: the database hiccuped, or an answer arrived before its activation), or permanent
(dead-lettered with its reason, then term). The bound on deliveries is enforced here:
the server's max-deliveries advisory is not stored, so it cannot be relied on.
"""

import asyncpg
import msgspec
import structlog
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from nats.js.manager import JetStreamManager

from common import consuming
from common.consuming import opened, retry_delay
from contracts.envelope import Envelope
from contracts.subjects import PLAN_STREAM, PLAN_SUBJECTS
from notifier import correlation
from notifier.alerting.handlers import Alerting, NotYetKnown, acts_on
from notifier.ledger.sessions import DATABASE_ERRORS
from notifier.metrics import DEAD_LETTERS, REDELIVERIES
from notifier.settings import NotifierSettings

log = structlog.stdlib.get_logger("notifier.consumer")

_envelope = msgspec.json.Decoder(Envelope)
OWNED_FIELDS = ("filter_subject", "ack_policy", "ack_wait", "max_deliver", "deliver_policy")


def consumer_config(settings: NotifierSettings) -> ConsumerConfig:
    return ConsumerConfig(
        durable_name=settings.consumer_name,
        filter_subject=PLAN_SUBJECTS,
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
        await jsm.add_consumer(PLAN_STREAM, wanted)
        log.info("consumer.created", name=name)
        return
    drift = [f for f in OWNED_FIELDS if getattr(live, f) != getattr(wanted, f)]
    if drift:
        await jsm.add_consumer(PLAN_STREAM, wanted)  # a create on a live name updates it
        log.info("consumer.updated", name=name, fields=",".join(drift))


class Consumer:
    def __init__(
        self, settings: NotifierSettings, pool: asyncpg.Pool, js: JetStreamContext
    ) -> None:
        self.settings = settings
        self.pool = pool
        self.js = js
        self.alerting = Alerting(settings)

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
            # About half the stream (delivery reports, check-ins …): a transaction each
            # would make the consumer, which takes one message at a time, fall behind at 50/s.
            await msg.ack()
            return
        try:
            async with self.pool.acquire() as conn, conn.transaction():
                await self.alerting.handle(conn, envelope)
        except NotYetKnown:
            await msg.nak(delay=retry_delay(delivered))  # its activation is still on the way
            return
        except DATABASE_ERRORS as exc:
            log.warning("consumer.retry", event_id=envelope.event_id, error=type(exc).__name__)
            await msg.nak(delay=retry_delay(delivered))
            return
        await msg.ack()
        log.debug("consumer.handled", event_id=envelope.event_id, event_type=envelope.event_type)

    async def dead_letter(self, msg: Msg, reason: str) -> None:
        await consuming.dead_letter(self.js, msg, reason)
        DEAD_LETTERS.inc()
        log.error("consumer.dead_lettered", subject=msg.subject, reason=reason)
