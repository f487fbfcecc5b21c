"""Sealed personal fields against a real PostgreSQL: nothing personal is stored in the clear,
reads give it back, a shred turns it into "[erased]" for good, and the hash chain holds."""

from datetime import UTC, datetime
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
from planner.store.event_store import EventIdConflict, NewEvent, read_all, read_stream
from tests.support.appending import MODES, Appender, appender
from tests.support.commands import chain_ok

pytestmark = pytest.mark.integration

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
    key = await db_pool.fetchrow(
        "SELECT wrapped, shredded_at FROM data_keys WHERE subject_id = $1", ZEPH
    )
    assert key is not None
    assert key["wrapped"] is None  # the tombstone: no key was made again
    assert key["shredded_at"] is not None
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
