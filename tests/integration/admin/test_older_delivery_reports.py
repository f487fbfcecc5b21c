"""A store written before delivery streams: its reports on the plan's stream still count.

Older releases appended each delivery report and escalation to the plan's own stream. This
release appends them to the activation's delivery stream; an older store is neither
migrated nor rewritten (the store is append-only and hash-chained), it is read as it is.
The same history, stored either way, shows the same activation, and the older store still
verifies, rebuilds its read models and round-trips through export and import.
"""

import asyncio
from pathlib import Path
from uuid import UUID, uuid4

import asyncpg
import msgspec
import pytest

from contracts.delivery_events import ActivationEscalated, AlertDeliveryRecorded
from contracts.envelope import Metadata
from contracts.events import PlanEvent
from contracts.ids import EventId, RecipientId
from contracts.vocabulary import ChannelKind, DeliveryStatus, MessageKind
from planner.api.views import ActivationView, activation_view
from planner.domain.delivery_log import joined
from planner.domain.evolve import fold
from planner.domain.report_commands import DeliveryCommand, RecordDelivery, RecordEscalation
from planner.handlers import reports
from planner.store import event_store
from planner.store.appending import append
from planner.store.event_store import NewEvent
from tests.integration.admin.test_events_backup import tandem
from tests.support.builders import (
    ACTIVATION_ID,
    BLAIR,
    CHAIN_KEY,
    NOW,
    PLAN_ID,
    activated,
    resolved,
    two_partners,
)
from tests.support.database import fresh_database

pytestmark = pytest.mark.integration

SECRET = b"tests-secret-key"  # CHAIN_KEY's secret, so `tandem events verify` checks the chain
METADATA = Metadata(actor="service:notifier", correlation_id=UUID(int=7))
SENT = RecordDelivery(
    now=NOW,
    delivery_id=UUID(int=1),
    activation_id=ACTIVATION_ID,
    recipient_id=RecipientId(BLAIR),
    channel=ChannelKind.EMAIL,
    tier=1,
    message=MessageKind.ALERT,
    status=DeliveryStatus.SENT,
)
ESCALATED = RecordEscalation(now=NOW, activation_id=ACTIVATION_ID, tier=2)
FAILED = RecordDelivery(
    now=NOW,
    delivery_id=UUID(int=2),
    activation_id=ACTIVATION_ID,
    recipient_id=RecipientId(BLAIR),
    channel=ChannelKind.SMS,
    tier=2,
    message=MessageKind.ALERT,
    status=DeliveryStatus.FAILED,
    reason="provider 503",
    attempts=4,
)


def plan_history() -> list[PlanEvent]:
    return [*two_partners(), activated(two_partners())]


def as_an_older_release_stored_it(command: DeliveryCommand) -> PlanEvent:
    """The event an older release appended to the plan's stream for a report."""
    if isinstance(command, RecordEscalation):
        return ActivationEscalated(activation_id=command.activation_id, tier=command.tier, at=NOW)
    return AlertDeliveryRecorded(
        delivery_id=command.delivery_id,
        activation_id=command.activation_id,
        recipient_id=command.recipient_id,
        channel=command.channel,
        tier=command.tier,
        message=command.message,
        status=command.status,
        reason=command.reason,
        attempts=command.attempts,
        at=command.now,
    )


async def store(pool: asyncpg.Pool, events: list[PlanEvent]) -> None:
    async with pool.acquire() as conn:
        batch = [NewEvent(event_id=EventId(uuid4()), event=e) for e in events]
        await append(conn, PLAN_ID, batch, "any", METADATA, chain_key=CHAIN_KEY)


async def view_in(db_url: str) -> ActivationView:
    """The activation as `GET …/activations/{id}` shows it: the plan joined with its stream."""
    conn = await asyncpg.connect(db_url)
    try:
        plan = fold(e.event for e in await event_store.read_stream(conn, PLAN_ID))
        stream = await event_store.read_stream(conn, ACTIVATION_ID)
    finally:
        await conn.close()
    assert plan is not None
    return activation_view(joined(plan, (e.event for e in stream)).activations[ACTIVATION_ID])


async def test_an_older_store_shows_verifies_rebuilds_and_restores_the_same_views(
    db_url: str,
    db_pool: asyncpg.Pool,
    other_db_url: str,
    other_pool: asyncpg.Pool,
    database_url: str,
    template_database: str,
    tmp_path: Path,
) -> None:
    commands: list[DeliveryCommand] = [SENT, ESCALATED, FAILED, ESCALATED]  # one sent twice
    older = [as_an_older_release_stored_it(c) for c in commands[:3]]
    await store(db_pool, [*plan_history(), *older, resolved()])

    await store(other_pool, plan_history())
    for command in commands:
        await reports.record(
            other_pool, PLAN_ID, command, METADATA, chain_key=CHAIN_KEY, report_id=EventId(uuid4())
        )
    await store(other_pool, [resolved()])

    view = await view_in(db_url)
    assert view == await view_in(other_db_url)
    assert view.escalated_tiers == (2,)
    assert [(d.channel, d.status) for d in view.recipients[0].deliveries] == [
        ("email", "sent"),
        ("sms", "failed"),
    ]
    assert view.status == "resolved"

    for db in (db_url, other_db_url):
        code, out, err = await asyncio.to_thread(tandem, db, SECRET, "events", "verify", "--json")
        assert code == 0, err
        assert msgspec.json.decode(out)["problems"] == []
        code, _, err = await asyncio.to_thread(tandem, db, SECRET, "replay")
        assert code == 0, err

    # A plan's export carries its activations' delivery streams too, in either store.
    for db in (db_url, other_db_url):
        code, lines, err = await asyncio.to_thread(
            tandem, db, SECRET, "events", "export", "--plan", str(PLAN_ID)
        )
        assert code == 0, err
        assert len(lines.splitlines()) == len(plan_history()) + 3 + 1  # 3 reports, resolved

    keys = str(tmp_path / "keys.ndjson")  # the names in the views are sealed: keys come along
    code, exported, err = await asyncio.to_thread(
        tandem, db_url, SECRET, "events", "export", "--keys", keys
    )
    assert code == 0, err
    backup = tmp_path / "older.ndjson"
    backup.write_bytes(exported)
    async with fresh_database(database_url, template_database) as restored:
        code, _, err = await asyncio.to_thread(
            tandem, restored, SECRET, "events", "import", "--keys", keys, str(backup)
        )
        assert code == 0, err
        assert await view_in(restored) == view
        code, out, err = await asyncio.to_thread(
            tandem, restored, SECRET, "events", "verify", "--json"
        )
        assert code == 0, err
        assert msgspec.json.decode(out)["problems"] == []
