"""Erasing a person reaches the notifier: its ledger, the plan's stream and the dead letters.

A plan's whole history goes through the real consumer on a real nats-server of the test's
own (so its store folder can be read) and the test's PostgreSQL; then the erasure does.
Another couple's alert, claimed and not sent yet, stands for someone else's work in flight.
"""

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import asyncpg
import msgspec
import nats
import pytest
from nats.aio.client import Client
from nats.js import JetStreamContext

from common.ids import new_id
from contracts.envelope import Envelope, Metadata
from contracts.erasure_events import ParticipantErased, SupportContactErased
from contracts.events import PlanActivated, PlanEvent, event_type
from contracts.ids import ActivationId, ParticipantId, PlanId, SignId
from contracts.subjects import (
    DELIVERY_STREAM,
    DLQ_STREAM,
    PLAN_STREAM,
    PLAN_SUBJECTS,
    dead_letter_subject,
    delivery_subject,
)
from contracts.upcasting import current_version
from notifier.erasing import streams
from notifier.erasing.eraser import NotSettledYet
from notifier.erasing.streams import Stored
from notifier.intake.consumer import Consumer, consumer_config, ensure_consumer
from notifier.ledger import migrations
from notifier.settings import NotifierSettings
from planner.relay.publisher import message_for
from planner.relay.streams import ensure_streams
from planner.runtime.embedded.nats_server import EmbeddedNats
from tests.support.erasure_journey import (
    AT,
    B_ACTIVATION,
    B_NAME,
    B_NOTE,
    C_STRINGS,
    CASSIA,
    PLAN,
    Z_ACTIVATION,
    Z_EMAIL,
    Z_NAME,
    Z_STRINGS,
    ZEPHYRINE,
    activation,
    email,
    journey,
    partner,
)
from tests.support.log_capture import captured_logs

pytestmark = pytest.mark.integration

SETTINGS = NotifierSettings(
    database_url="postgresql://unused",
    nats_url="nats://unused",
    secret_key=b"erasure-test-secret",
    public_url="http://127.0.0.1:8000",
)
OTHER_PLAN = PlanId(UUID("01950000-0000-7000-8000-0000000000f1"))
DMITRA = ParticipantId(UUID("01950000-0000-7000-8000-0000000000f2"))
D_NAME, D_NOTE, D_EMAIL = "Dmitra-P5", "Please come over (P5-note)", "elowen.r8@example.org"
D_ADDRESS = "dmitra.p5@example.org"
TABLES = ("deliveries", "activations", "signs", "timers")
DUMP = "SELECT t::text AS row FROM notifier.{table} AS t ORDER BY 1"  # test tables only
ALERT_TO = """
SELECT body FROM notifier.deliveries
WHERE activation_id = $1 AND recipient_id = $2 AND message = 'alert'
"""
RELFILENODE = "SELECT relfilenode FROM pg_class WHERE oid = 'notifier.deliveries'::regclass"


class Servers(msgspec.Struct, kw_only=True):
    nc: Client
    js: JetStreamContext
    pool: asyncpg.Pool
    store: Path
    nats: EmbeddedNats
    consumer: Consumer
    positions: dict[UUID, int] = msgspec.field(default_factory=dict)


@pytest.fixture
async def servers(tmp_path: Path, db_pool: asyncpg.Pool) -> AsyncIterator[Servers]:
    server = EmbeddedNats(tmp_path / "nats")
    url = await asyncio.to_thread(server.start)
    nc = await nats.connect(url)
    async with db_pool.acquire() as conn:
        await migrations.migrate(conn)
    try:
        await ensure_streams(nc.jsm())
        await ensure_consumer(nc.jsm(), consumer_config(SETTINGS))
        js = nc.jetstream()
        yield Servers(
            nc=nc,
            js=js,
            pool=db_pool,
            store=tmp_path / "nats",
            nats=server,
            consumer=Consumer(SETTINGS, db_pool, js),
        )
    finally:
        await nc.close()
        await asyncio.to_thread(server.stop)


async def publish(servers: Servers, plan_id: UUID, *events: PlanEvent) -> None:
    for event in events:
        version = servers.positions.get(plan_id, 0) + 1
        servers.positions[plan_id] = version
        name = event_type(event)
        envelope = Envelope(
            event_id=new_id(),
            stream_id=plan_id,
            stream_version=version,
            position=sum(servers.positions.values()),
            event_type=name,
            schema_version=current_version(name),
            recorded_at=AT,
            metadata=Metadata(actor="participant", correlation_id=new_id()),
            event=event,
        )
        message = message_for(envelope)
        await servers.js.publish(message.subject, message.payload, headers=message.headers)


async def handle_all(servers: Servers, leave: str = "") -> None:
    """Fetch and handle every message the durable has, as the live intake does; one whose
    subject ends with ``leave`` is left unsettled (its handling still under way)."""
    subscription = await servers.js.pull_subscribe_bind(SETTINGS.consumer_name, PLAN_STREAM)
    while True:
        try:
            batch = await subscription.fetch(32, timeout=1)
        except TimeoutError:  # nats-py's own TimeoutError is one too: nothing left
            return
        for message in batch:
            if not (leave and message.subject.endswith(leave)):
                await servers.consumer.process(message)


def someone_elses_activation() -> PlanActivated:
    """Dmitra's open activation on another plan: an alert to Elowen, claimed, not sent."""
    elowen = partner(ParticipantId(new_id()), "Elowen-R8", (email(D_EMAIL),))
    return msgspec.structs.replace(
        activation(ActivationId(new_id()), DMITRA, D_NOTE, (elowen,), SignId(new_id())),
        activator_name=D_NAME,
        activator_channels=(email(D_ADDRESS),),
        at=AT + timedelta(days=30),
    )


async def ledger(pool: asyncpg.Pool) -> str:
    async with pool.acquire() as conn:
        rows = [await conn.fetch(DUMP.format(table=table)) for table in TABLES]
    return "\n".join(row["row"] for table in rows for row in table)


async def stream_text(js: JetStreamContext) -> str:
    """What every message in the plan, dead-letter and delivery streams says."""
    plan = [m async for m in streams.stored(js, PLAN_STREAM, PLAN_SUBJECTS)]
    dead = [m async for m in streams.stored(js, DLQ_STREAM, "tandem.dlq.>")]
    reports = [m async for m in streams.stored(js, DELIVERY_STREAM, "tandem.delivery.>")]
    return "\n".join(m.data.decode() + repr(m.headers) for m in [*plan, *dead, *reports])


def hits(text: str, strings: Sequence[str]) -> list[str]:
    return [s for s in strings if s in text]


async def the_journey(servers: Servers, leave: str = "") -> PlanActivated:
    """The plan's history handled, a dead letter of it, and someone else's alert in flight."""
    theirs = someone_elses_activation()
    await publish(servers, PLAN, *journey())
    await publish(servers, OTHER_PLAN, theirs)
    await handle_all(servers, leave)
    subjects = f"tandem.plan.{PLAN}.check_in_recorded"
    [check_in] = [m async for m in streams.stored(servers.js, PLAN_STREAM, subjects)]
    await servers.js.publish(dead_letter_subject(check_in.subject), check_in.data)
    quoted = ((Z_ACTIVATION, Z_EMAIL), (theirs.activation_id, D_ADDRESS))
    for activation_id, address in quoted:  # reports quoting a provider's words
        reason = f"550 mailbox unavailable: <{address}>"
        await servers.js.publish(delivery_subject(activation_id, "delivery"), reason.encode())
    return theirs


async def test_an_erased_partner_leaves_none_of_their_strings_in_the_ledger_or_jetstream(
    servers: Servers,
) -> None:
    theirs = await the_journey(servers)
    assert hits(await ledger(servers.pool), Z_STRINGS)  # the test would see them
    assert hits(await stream_text(servers.js), Z_STRINGS) == list(Z_STRINGS)
    others_before = await other_plan_rows(servers.pool)
    alert_before = await cassias_alert_from_borislav(servers.pool)
    assert B_NOTE in alert_before
    async with servers.pool.acquire() as conn:
        before = await conn.fetchval(RELFILENODE)

    await publish(servers, PLAN, ParticipantErased(participant_id=ZEPHYRINE, at=AT, by="self"))
    await handle_all(servers)

    assert hits(await ledger(servers.pool), Z_STRINGS) == []
    assert hits(await stream_text(servers.js), Z_STRINGS) == []
    assert await cassias_alert_from_borislav(servers.pool) == alert_before  # not about them
    assert await other_plan_rows(servers.pool) == others_before  # Elowen's alert, as it was
    [(status, body)] = others_before
    assert status == "claimed"
    assert D_NAME in body
    async with servers.pool.acquire() as conn:
        assert await conn.fetchval(RELFILENODE) != before  # rewritten: VACUUM FULL ran
    left = await stream_text(servers.js)
    assert hits(left, [str(theirs.activation_id), D_ADDRESS]) == [  # the other plan's stay
        str(theirs.activation_id),
        D_ADDRESS,
    ]
    await asyncio.to_thread(servers.nats.stop)  # flushed to its store, then read from disk
    assert on_disk(servers.store, Z_STRINGS) == []
    assert on_disk(servers.store, [D_NAME]) == [D_NAME]  # the store is where the test looks


async def test_a_redelivered_or_replayed_erasure_changes_nothing(servers: Servers) -> None:
    await the_journey(servers)
    erasure = ParticipantErased(participant_id=ZEPHYRINE, at=AT, by="operator")
    await publish(servers, PLAN, erasure)
    await handle_all(servers)
    after = await ledger(servers.pool)
    message, envelope = await the_erasure(servers)

    await servers.consumer.eraser.erase(envelope, message.sequence, delivered=2)
    async with servers.pool.acquire() as conn, conn.transaction():
        await servers.consumer.alerting.handle(conn, envelope)  # as a replay would

    assert await ledger(servers.pool) == after
    assert hits(await stream_text(servers.js), Z_STRINGS) == []


async def test_messages_the_notifier_may_still_need_are_deleted_only_on_the_last_try(
    servers: Servers,
) -> None:
    await the_journey(servers, leave=".activation_acknowledged")  # still being handled
    await publish(servers, PLAN, ParticipantErased(participant_id=ZEPHYRINE, at=AT, by="self"))
    message, envelope = await the_erasure(servers)

    with pytest.raises(NotSettledYet):
        await servers.consumer.eraser.erase(envelope, message.sequence, delivered=1)
    assert hits(await ledger(servers.pool), Z_STRINGS) == []  # the ledger's part is done
    assert hits(await stream_text(servers.js), Z_STRINGS) == list(Z_STRINGS)

    last = SETTINGS.max_deliveries
    await servers.consumer.eraser.erase(envelope, message.sequence, delivered=last)
    assert hits(await stream_text(servers.js), Z_STRINGS) == []


async def the_erasure(servers: Servers) -> tuple[Stored, Envelope]:
    [message] = [
        m
        async for m in streams.stored(servers.js, PLAN_STREAM, PLAN_SUBJECTS)
        if b"participant_erased" in m.data
    ]
    return message, msgspec.json.decode(message.data, type=Envelope)


async def test_a_table_another_session_holds_is_left_unvacuumed_and_the_erasure_goes_on(
    servers: Servers, db_url: str
) -> None:
    await the_journey(servers)
    holder = await asyncpg.connect(db_url)
    try:
        holding = holder.transaction()
        await holding.start()
        await holder.execute("LOCK TABLE notifier.signs IN ACCESS SHARE MODE")
        await publish(servers, PLAN, ParticipantErased(participant_id=ZEPHYRINE, at=AT, by="self"))
        with captured_logs() as logs:
            await handle_all(servers)
        await holding.rollback()
    finally:
        await holder.close()

    [failed] = logs.events("erasure.vacuum_failed")
    assert (failed["what"], failed["error"]) == ("signs", "LockNotAvailableError")
    [done] = logs.events("erasure.done")
    assert (done["erased_id"], done["tables"]) == (str(ZEPHYRINE), "activations,deliveries,signs")
    assert hits(await ledger(servers.pool), Z_STRINGS) == []  # blanked, if not yet rewritten
    assert hits(await stream_text(servers.js), Z_STRINGS) == []
    assert hits(logs.text, Z_STRINGS) == []  # logs carry ids, never what was erased


async def test_an_erased_contact_is_gone_and_the_partners_keep_their_own_text(
    servers: Servers,
) -> None:
    await the_journey(servers)

    await publish(servers, PLAN, SupportContactErased(contact_id=CASSIA, at=AT, by="partner"))
    await handle_all(servers)

    text = await ledger(servers.pool)
    assert hits(text, C_STRINGS) == []
    assert hits(await stream_text(servers.js), C_STRINGS) == []
    assert Z_NAME in text
    assert B_NAME in text


async def cassias_alert_from_borislav(pool: asyncpg.Pool) -> str:
    """Borislav's alert to Cassia: it says nothing of Zephyrine, and keeps its words."""
    async with pool.acquire() as conn:
        return str(await conn.fetchval(ALERT_TO, B_ACTIVATION, CASSIA))


async def other_plan_rows(pool: asyncpg.Pool) -> list[tuple[str, str]]:
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT status, body FROM notifier.deliveries WHERE plan_id = $1", OTHER_PLAN
        )
    return [(row["status"], row["body"]) for row in rows]


def on_disk(folder: Path, strings: Sequence[str]) -> list[str]:
    """The strings found in any file under ``folder``, byte for byte."""
    blobs = [path.read_bytes() for path in folder.rglob("*") if path.is_file()]
    return [s for s in strings if any(s.encode() in blob for blob in blobs)]
