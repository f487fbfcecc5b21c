"""Sealed personal fields against a real PostgreSQL: nothing personal is stored in the clear,
reads give it back, a shred turns it into "[erased]" for good, and the hash chain holds."""

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from uuid_utils.compat import uuid7

from contracts.envelope import Metadata
from contracts.events import (
    ActivationResolved,
    CheckInRecorded,
    PartnerJoined,
    PlanActivated,
    PlanCreated,
    PlanEvent,
    WarningSignAdded,
    WarningSignRevised,
)
from contracts.ids import (
    ActivationId,
    CheckInId,
    ContactId,
    EventId,
    InviteId,
    ParticipantId,
    PlanId,
    SignId,
)
from contracts.support_events import SupportContactAdded
from contracts.vocabulary import (
    Channel,
    ChannelKind,
    Level,
    Outcome,
    Recipient,
    RecipientKind,
)
from planner.store import sealing
from planner.store.appending import append
from planner.store.event_store import EventIdConflict, NewEvent, read_all, read_stream
from tests.support.appending import MODES, Appender, appender
from tests.support.builders import CHAIN_KEY
from tests.support.commands import chain_ok

pytestmark = pytest.mark.integration

TANDEM = str(Path(sys.executable).with_name("tandem"))
TESTS_SECRET = "tests-secret-key"  # the one tests.support.builders.CHAIN_KEY is made from

AT = datetime(2026, 3, 1, 12, tzinfo=UTC)
ZEPH = ParticipantId(UUID(str(uuid7())))  # the partner who will be erased
QUILL = ParticipantId(UUID(str(uuid7())))  # the partner who stays
JO = ContactId(UUID(str(uuid7())))
SIGN = SignId(UUID(str(uuid7())))
METADATA = Metadata(actor=f"participant:{ZEPH}", correlation_id=uuid7())
ZEPH_TEXT = (
    "Zephyrine-Q7",
    "zephyrine.q7@example.org",
    "+15550142377",
    "Hides-bottles-Q7",
    "Revised-bottles-Q7",
    "Note-from-zephyrine-Q7",
    "Reflection-zephyrine-Q7",
    "Checkin-zephyrine-Q7",
)
OTHERS_TEXT = ("Quillon-K4", "Jovanka-P2", "jovanka.p2@example.org", "Sponsor-P2")


def journey(plan: PlanId) -> list[PlanEvent]:
    zeph_channels = (
        Channel(kind=ChannelKind.EMAIL, address="zephyrine.q7@example.org"),
        Channel(kind=ChannelKind.SMS, address="+15550142377"),
    )
    jo_channels = (Channel(kind=ChannelKind.EMAIL, address="jovanka.p2@example.org"),)
    activation = ActivationId(UUID(str(uuid7())))
    return [
        PlanCreated(plan_id=plan, title="Our plan", created_by=ZEPH, creator_name="Zephyrine-Q7"),
        PartnerJoined(
            invite_id=InviteId(UUID(str(uuid7()))), participant_id=QUILL, display_name="Quillon-K4"
        ),
        WarningSignAdded(
            sign_id=SIGN,
            owner_id=ZEPH,
            category="habits",
            description="Hides-bottles-Q7",
            level=Level.WATCH,
        ),
        WarningSignRevised(sign_id=SIGN, category="habits", description="Revised-bottles-Q7"),
        SupportContactAdded(
            contact_id=JO,
            display_name="Jovanka-P2",
            relationship="Sponsor-P2",
            channels=jo_channels,
            added_by=ZEPH,
            added_by_name="Zephyrine-Q7",
        ),
        PlanActivated(
            activation_id=activation,
            level=Level.SETBACK,
            activated_by=ZEPH,
            observed_sign_ids=(SIGN,),
            note="Note-from-zephyrine-Q7",
            recipients=(
                Recipient(
                    recipient_id=QUILL,
                    kind=RecipientKind.PARTNER,
                    display_name="Quillon-K4",
                    tier=1,
                ),
                Recipient(
                    recipient_id=JO,
                    kind=RecipientKind.CONTACT,
                    display_name="Jovanka-P2",
                    tier=1,
                    channels=jo_channels,
                ),
            ),
            tiers=(),
            at=AT,
            activator_name="Zephyrine-Q7",
            activator_channels=zeph_channels,
        ),
        ActivationResolved(
            activation_id=activation,
            outcome=Outcome.RESOLVED,
            reflection="Reflection-zephyrine-Q7",
            resolved_by=ZEPH,
            at=AT,
        ),
        CheckInRecorded(
            check_in_id=CheckInId(UUID(str(uuid7()))),
            participant_id=ZEPH,
            mood=3,
            craving=2,
            note="Checkin-zephyrine-Q7",
            signs_noticed=(),
            at=AT,
        ),
    ]


def batch(events: list[PlanEvent]) -> list[NewEvent]:
    return [NewEvent(event_id=EventId(uuid7()), event=event) for event in events]


async def stored_text(pool: asyncpg.Pool) -> str:
    rows = await pool.fetch("SELECT payload::text AS p FROM events ORDER BY position")
    return "\n".join(row["p"] for row in rows)


@pytest.fixture(params=MODES)
def append_to(request: pytest.FixtureRequest, db_pool: asyncpg.Pool) -> Appender:
    return appender(db_pool, request.param, METADATA)


async def test_a_journey_is_stored_without_its_personal_text_and_reads_back_whole(
    db_pool: asyncpg.Pool, append_to: Appender
) -> None:
    plan = PlanId(UUID(str(uuid7())))
    events = journey(plan)
    await append_to(plan, batch(events), "no_stream")
    stored = await stored_text(db_pool)
    for text in (*ZEPH_TEXT, *OTHERS_TEXT):
        assert text not in stored
    assert '"sealed"' in stored
    assert [e.event for e in await read_stream(db_pool, plan)] == events
    assert [e.event for e in await read_all(db_pool)] == events
    assert await chain_ok(db_pool)


async def test_a_retried_append_of_sealed_events_is_still_a_no_op(
    db_pool: asyncpg.Pool, append_to: Appender
) -> None:
    plan = PlanId(UUID(str(uuid7())))
    new = batch(journey(plan))
    first = await append_to(plan, new, "no_stream")
    again = await append_to(plan, new, "no_stream")
    assert again.duplicate
    assert again.positions == first.positions
    changed = [new[0], NewEvent(event_id=new[1].event_id, event=journey(plan)[2])]
    with pytest.raises(EventIdConflict):
        await append_to(plan, changed, "no_stream")


async def test_after_a_shred_their_fields_read_erased_and_everyone_elses_stay(
    db_pool: asyncpg.Pool, append_to: Appender
) -> None:
    plan = PlanId(UUID(str(uuid7())))
    await append_to(plan, batch(journey(plan)), "no_stream")
    async with db_pool.acquire() as conn:
        await sealing.shred(conn, ZEPH)
        await sealing.shred(conn, ZEPH)  # twice changes nothing
    created, joined, added, revised, contact, activated, resolved, checked = [
        e.event for e in await read_stream(db_pool, plan)
    ]
    assert isinstance(created, PlanCreated)
    assert created.creator_name == sealing.ERASED
    assert isinstance(added, WarningSignAdded)
    assert isinstance(revised, WarningSignRevised)
    assert (added.description, revised.description) == (sealing.ERASED, sealing.ERASED)
    assert isinstance(activated, PlanActivated)
    assert activated.note == activated.activator_name == sealing.ERASED
    assert {c.address for c in activated.activator_channels} == {sealing.ERASED}
    assert [r.display_name for r in activated.recipients] == ["Quillon-K4", "Jovanka-P2"]
    assert isinstance(resolved, ActivationResolved)
    assert resolved.reflection == sealing.ERASED
    assert isinstance(checked, CheckInRecorded)
    assert checked.note == sealing.ERASED
    assert isinstance(contact, SupportContactAdded)
    assert (contact.display_name, contact.added_by_name) == ("Jovanka-P2", sealing.ERASED)
    assert isinstance(joined, PartnerJoined)
    assert joined.display_name == "Quillon-K4"
    assert await chain_ok(db_pool)  # the chain covers the sealed bytes, not the keys


async def test_an_event_about_a_shredded_person_stores_erased_never_their_text(
    db_pool: asyncpg.Pool, append_to: Appender
) -> None:
    plan = PlanId(UUID(str(uuid7())))
    await append_to(plan, batch(journey(plan)[:1]), "no_stream")
    async with db_pool.acquire() as conn:
        await sealing.shred(conn, ZEPH)
    later = CheckInRecorded(
        check_in_id=CheckInId(UUID(str(uuid7()))),
        participant_id=ZEPH,
        mood=3,
        craving=2,
        note="Checkin-zephyrine-Q7",
        signs_noticed=(),
        at=AT,
    )
    await append_to(plan, batch([later]), 1)
    assert "Checkin-zephyrine-Q7" not in await stored_text(db_pool)
    keys = await db_pool.fetchval("SELECT count(*) FROM data_keys WHERE subject_id = $1", ZEPH)
    assert keys == 0  # the tombstone: no key was made again
    assert await db_pool.fetchval(
        "SELECT shredded_at FROM data_key_tombstones WHERE subject_id = $1", ZEPH
    )
    [*_, last] = await read_stream(db_pool, plan)
    assert isinstance(last.event, CheckInRecorded)
    assert last.event.note == sealing.ERASED


async def test_events_stored_in_plaintext_before_sealing_still_read(
    db_pool: asyncpg.Pool,
) -> None:
    plan = uuid7()
    payload = (
        f'{{"type":"plan.created","plan_id":"{plan}","title":"Old plan",'
        f'"created_by":"{ZEPH}","creator_name":"Plain-old-name"}}'
    )
    await db_pool.execute(
        "INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version,"
        " payload, metadata) VALUES ($1, 1, $2, 'plan.created', 1, $3::jsonb, $4::jsonb)",
        plan,
        uuid7(),
        payload,
        f'{{"actor":"tests","correlation_id":"{uuid7()}"}}',
    )
    [envelope] = await read_stream(db_pool, plan)
    assert isinstance(envelope.event, PlanCreated)
    assert envelope.event.creator_name == "Plain-old-name"


async def test_a_transaction_left_open_after_making_a_key_never_holds_up_another(
    db_pool: asyncpg.Pool,
) -> None:
    first, second = PlanId(UUID(str(uuid7()))), PlanId(UUID(str(uuid7())))
    async with db_pool.acquire() as slow:
        late = slow.transaction()
        await late.start()
        await appender_in(slow, first)  # makes ZEPH's first key, not yet committed
        await asyncio.wait_for(
            appender(db_pool, "in-transaction", METADATA)(
                second, batch(journey(second)[:1]), "no_stream"
            ),
            timeout=30,
        )
        await late.commit()
    assert await db_pool.fetchval("SELECT count(*) FROM data_keys WHERE subject_id = $1", ZEPH) == 2
    for plan in (first, second):
        [created] = [e.event for e in await read_stream(db_pool, plan)]
        assert isinstance(created, PlanCreated)
        assert created.creator_name == "Zephyrine-Q7"
    async with db_pool.acquire() as conn:
        await sealing.shred(conn, ZEPH)  # every key of theirs goes
    assert await db_pool.fetchval("SELECT count(*) FROM data_keys WHERE subject_id = $1", ZEPH) == 0


async def appender_in(conn: Any, plan: PlanId) -> None:
    await append(conn, plan, batch(journey(plan)[:1]), "no_stream", METADATA, chain_key=CHAIN_KEY)


async def test_a_sign_revised_later_by_the_other_partner_is_sealed_for_its_owner(
    db_pool: asyncpg.Pool,
) -> None:
    plan = PlanId(UUID(str(uuid7())))
    events = journey(plan)
    await appender(db_pool, "in-transaction", METADATA)(plan, batch(events[:3]), "no_stream")
    by_quill = Metadata(actor=f"participant:{QUILL}", correlation_id=uuid7())
    await appender(db_pool, "in-transaction", by_quill)(plan, batch([events[3]]), 3)
    async with db_pool.acquire() as conn:
        await sealing.shred(conn, ZEPH)
    [*_, revised] = [e.event for e in await read_stream(db_pool, plan)]
    assert isinstance(revised, WarningSignRevised)
    assert revised.description == sealing.ERASED


def plan_show(db_url: str, plan: UUID, secret: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TANDEM_DATABASE_URL": db_url, "TANDEM_SECRET_KEY": secret}
    return subprocess.run(  # noqa: S603 - our own program, our own arguments
        [TANDEM, "plan", "show", str(plan), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_plan_show_opens_sealed_fields_with_the_secret_and_says_so_without_it(
    db_url: str, db_pool: asyncpg.Pool
) -> None:
    plan = PlanId(UUID(str(uuid7())))
    created, _, sign, _, contact, *_ = journey(plan)  # a plan that folds: no invite, no partner
    await appender(db_pool, "in-transaction", METADATA)(
        plan, batch([created, sign, contact]), "no_stream"
    )
    shown = await asyncio.to_thread(plan_show, db_url, plan, TESTS_SECRET)
    assert shown.returncode == 0, shown.stderr
    assert "Zephyrine-Q7" in shown.stdout
    refused = await asyncio.to_thread(plan_show, db_url, plan, "another-secret")
    assert refused.returncode == 2
    assert "Traceback" not in refused.stderr
    assert "TANDEM_SECRET_KEY" in refused.stderr
    assert "Zephyrine-Q7" not in refused.stdout + refused.stderr
