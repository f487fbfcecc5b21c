"""Replay: run the notifier's decisions again over the planner's history in JetStream.

Each event goes through ``Alerting.handle``, the live consumer's own decisions, so a replay
claims exactly what the live path would, and nothing the ledger holds already (claims are
unique by claim key). Two things a replay knows that the live path cannot, because the
history is already written, keep it from paging anyone about the past:

- An activation acknowledged or resolved later in the history, and unknown to the ledger
  (the ledger was lost, or the event was dead-lettered), is recorded in that final state
  before its activation is handled; the live decisions then page nobody about it and owe
  no notes. One the ledger knows is handled exactly as live, so what it still owes (an
  all-clear, an acknowledgement note) is claimed.
- A consent request answered or replaced later in the history, or whose contact was
  removed, is not sent again.

A dry run makes the same decisions in one transaction that is rolled back. The claims a
replay makes are only rows in the ledger: the running notifier sends them.
"""

from collections.abc import Callable
from uuid import UUID

import asyncpg
import msgspec
import nats
from nats.js import JetStreamContext

from contracts.events import PlanActivated, SignInLinkRequested
from contracts.support_events import ConsentExpiring, ConsentRequested, DisclosureRequested
from contracts.vocabulary import ChannelKind, MessageKind
from notifier.alerting.handlers import Alerting, NotYetKnown
from notifier.domain.hindsight import Hindsight
from notifier.ledger import activations, migrations
from notifier.ledger.sessions import Connection
from notifier.replay import history
from notifier.replay.history import Span, Stored
from notifier.settings import NotifierSettings

SESSION_SETTINGS = {"application_name": "tandem-notifier-replay"}
CONNECT_TIMEOUT_SECONDS = 5.0

# The claims this transaction inserted: a row's xmin is the transaction that wrote it, and
# claims are only ever inserted (ON CONFLICT DO NOTHING leaves an existing row untouched).
CLAIMED_HERE = """
SELECT delivery_id, activation_id, tier, recipient_id, channel_kind, message
FROM notifier.deliveries
WHERE xmin = pg_current_xact_id_if_assigned()::xid AND delivery_id <> ALL($1::uuid[])
ORDER BY activation_id NULLS FIRST, tier, message, recipient_id, channel_kind
"""


class Claim(msgspec.Struct, frozen=True, kw_only=True):
    """A claim as a replay shows it: ids and kinds only, never names or addresses."""

    sequence: int  # the history message whose handling made it
    delivery_id: UUID
    activation_id: UUID | None
    tier: int
    recipient_id: UUID
    channel: ChannelKind
    message: MessageKind


class Report(msgspec.Struct, kw_only=True):
    dry_run: bool
    span: Span
    events: int = 0
    claims: list[Claim] = msgspec.field(default_factory=list)
    rebuilt: list[UUID] = msgspec.field(default_factory=list)  # over: recorded, nobody paged
    # Open at the end of the history and unknown to the ledger: alerted again from tier 1.
    # The value is how many alerts the planner's history records as sent for it already.
    reopened: dict[UUID, int] = msgspec.field(default_factory=dict)
    skipped: dict[str, int] = msgspec.field(default_factory=dict)  # why → how many events


Emit = Callable[[Claim], None]


async def replay(
    settings: NotifierSettings, from_sequence: int, *, dry_run: bool, emit: Emit
) -> Report:
    """Replay TANDEM_PLAN from ``from_sequence`` to its end as of now."""
    connection = await nats.connect(
        settings.nats_url, connect_timeout=CONNECT_TIMEOUT_SECONDS, allow_reconnect=False
    )
    try:
        js = connection.jetstream()
        span = await history.span(js, from_sequence)
        hindsight = await _look_ahead(js, span)
        replayer = Replayer(Alerting(settings), hindsight, Report(dry_run=dry_run, span=span))
        conn = await asyncpg.connect(
            settings.database_url,
            timeout=CONNECT_TIMEOUT_SECONDS,
            server_settings=SESSION_SETTINGS,
        )
        try:
            await migrations.migrate(conn)
            await replayer.run(conn, js, emit)
            return replayer.report
        finally:
            await conn.close()
    finally:
        await connection.close()


async def _look_ahead(js: JetStreamContext, span: Span) -> Hindsight:
    """What the whole span says, read once before anything in it is decided."""
    hindsight = Hindsight()
    async for stored in history.read(js, span):
        if stored.envelope is not None:
            hindsight.see(stored.envelope.event)
    return hindsight


class Replayer:
    def __init__(self, alerting: Alerting, hindsight: Hindsight, report: Report) -> None:
        self.alerting = alerting
        self.hindsight = hindsight
        self.report = report
        self.seen: list[UUID] = []  # claims reported so far (a dry run is one transaction)

    async def run(self, conn: asyncpg.Connection, js: JetStreamContext, emit: Emit) -> None:
        events = history.read(js, self.report.span)
        if not self.report.dry_run:
            async for stored in events:
                async with conn.transaction():  # each event's decisions land together
                    await self.apply(conn, stored, emit)
            return
        transaction = conn.transaction()
        await transaction.start()
        try:
            async for stored in events:
                await self.apply(conn, stored, emit)
        finally:
            await transaction.rollback()

    async def apply(self, conn: Connection, stored: Stored, emit: Emit) -> None:
        envelope = stored.envelope
        self.report.events += 1
        if envelope is None:
            self._skip("undecodable (the live notifier dead-letters it)")
            return
        event = envelope.event
        if isinstance(event, ConsentRequested) and self.hindsight.is_settled(event):
            self._skip("consent request answered, replaced or withdrawn from later")
            return
        if isinstance(event, DisclosureRequested) and self.hindsight.has_answered(event):
            self._skip("partner asked about a contact chose later")
            return
        if isinstance(event, ConsentExpiring) and self.hindsight.is_outdated(event):
            self._skip("consent renewed or withdrawn after its end was noticed")
        if isinstance(event, SignInLinkRequested):
            self._skip("sign-in links are sent live only, never again")
            return
        if isinstance(event, PlanActivated):
            await self._before_activation(conn, envelope.stream_id, event)
        try:
            await self.alerting.handle(conn, envelope)
        except NotYetKnown:  # raised before it writes anything
            self._skip("answer to an activation before the replay, unknown to the ledger")
            return
        for row in await conn.fetch(CLAIMED_HERE, self.seen):
            claim = _claim(stored.sequence, row)
            self.seen.append(claim.delivery_id)
            self.report.claims.append(claim)
            emit(claim)

    async def _before_activation(
        self, conn: Connection, plan_id: UUID, event: PlanActivated
    ) -> None:
        """Record an activation that is over, unknown to the ledger, in its final state."""
        activation_id = event.activation_id
        if not self.hindsight.is_over(activation_id):
            if await activations.load_activation(conn, activation_id) is None:
                sent = self.hindsight.alerts_sent.get(activation_id, 0)
                self.report.reopened[activation_id] = sent
            return
        if not await activations.remember_activation(conn, plan_id, event):
            return  # the ledger knows it: the live decisions know what is still owed
        acknowledged_by = self.hindsight.acknowledged_by.get(activation_id)
        if acknowledged_by is not None:
            await activations.mark_acknowledged(conn, activation_id, acknowledged_by)
        if activation_id in self.hindsight.resolved:
            await activations.mark_resolved(conn, activation_id)
        self.report.rebuilt.append(activation_id)

    def _skip(self, why: str) -> None:
        self.report.skipped[why] = self.report.skipped.get(why, 0) + 1


def _claim(sequence: int, row: asyncpg.Record) -> Claim:
    return Claim(
        sequence=sequence,
        delivery_id=row["delivery_id"],
        activation_id=row["activation_id"],
        tier=row["tier"],
        recipient_id=row["recipient_id"],
        channel=ChannelKind(row["channel_kind"]),
        message=MessageKind(row["message"]),
    )
