"""Our store for the replay benchmark: plans of 24 events each, written by COPY.

Each plan's life is the mix a couple produces in a few weeks: created, partner invited and
joined, signs, steps, two consented contacts, a policy, check-ins, an activation with
deliveries, its acknowledgement and resolution. The peer stores the same life
(``bench.peer.plan_life``).
"""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import asyncpg

from contracts import delivery_events, ids
from contracts import events as ev
from contracts import support_events as support
from contracts import vocabulary as vocab
from contracts.upcasting import current_version

COPY_CHUNK = 48_000  # events per COPY (a multiple of the events of one plan)
COLUMNS = (
    "stream_id",
    "stream_version",
    "event_id",
    "event_type",
    "schema_version",
    "payload",
    "metadata",
    "recorded_at",
)
START = datetime(2026, 1, 1, tzinfo=UTC)


def plan_events(index: int) -> list[ev.PlanEvent]:
    """One plan's life: 24 events, the mix a couple produces in a few weeks."""
    plan, alex, sam = (ids.PlanId(uuid4()), ids.ParticipantId(uuid4()), ids.ParticipantId(uuid4()))
    at = START + timedelta(minutes=index)
    invite = ids.InviteId(uuid4())
    contacts = [ids.ContactId(uuid4()) for _ in range(2)]
    activation = ids.ActivationId(uuid4())
    email = (vocab.Channel(kind=vocab.ChannelKind.EMAIL, address="support@example.org"),)
    made: list[ev.PlanEvent] = [
        ev.PlanCreated(plan_id=plan, title="Our plan", created_by=alex, creator_name="Alex"),
        ev.PartnerInvited(
            invite_id=invite, invited_by=alex, code_sha256=uuid4().hex * 2, expires_at=at
        ),
        ev.PartnerJoined(invite_id=invite, participant_id=sam, display_name="Sam"),
    ]
    made += [
        ev.WarningSignAdded(
            sign_id=ids.SignId(uuid4()),
            owner_id=alex,
            category="sleep",
            description="Up late",
            level=vocab.Level.WATCH,
        )
        for _ in range(3)
    ]
    made += [
        ev.ResponseStepAdded(step_id=ids.StepId(uuid4()), level=level, description="Call")
        for level in vocab.Level
    ]
    for contact in contacts:
        made.append(
            support.SupportContactAdded(
                contact_id=contact,
                display_name="Jo",
                relationship="sponsor",
                channels=email,
                added_by=alex,
            )
        )
    made += [
        support.ConsentGiven(contact_id=c, scope=vocab.ConsentScope(), at=at) for c in contacts
    ]
    made.append(
        support.EscalationPolicySet(
            level=vocab.Level.SETBACK,
            tiers=(vocab.Tier(contact_ids=tuple(contacts), ack_timeout_seconds=300),),
        )
    )
    made += [
        ev.CheckInRecorded(
            check_in_id=ids.CheckInId(uuid4()),
            participant_id=alex,
            mood=3,
            craving=2,
            note="",
            signs_noticed=(),
            at=at,
        )
        for _ in range(5)
    ]
    made += _activation(activation, alex, sam, contacts, at)
    return made


def _activation(
    activation: ids.ActivationId,
    alex: ids.ParticipantId,
    sam: ids.ParticipantId,
    contacts: list[ids.ContactId],
    at: datetime,
) -> list[ev.PlanEvent]:
    recipients = tuple(
        vocab.Recipient(
            recipient_id=ids.RecipientId(who),
            kind=vocab.RecipientKind.CONTACT,
            display_name="Jo",
            tier=1,
        )
        for who in contacts
    )
    return [
        ev.PlanActivated(
            activation_id=activation,
            level=vocab.Level.SETBACK,
            activated_by=alex,
            observed_sign_ids=(),
            note="",
            recipients=recipients,
            tiers=(),
            at=at,
        ),
        *(
            delivery_events.AlertDeliveryRecorded(
                delivery_id=uuid4(),
                activation_id=activation,
                recipient_id=r.recipient_id,
                channel=vocab.ChannelKind.EMAIL,
                tier=1,
                message=vocab.MessageKind.ALERT,
                status=vocab.DeliveryStatus.SENT,
                at=at,
            )
            for r in recipients
        ),
        ev.ActivationAcknowledged(activation_id=activation, by=ids.RecipientId(sam), at=at),
        ev.ActivationResolved(
            activation_id=activation,
            outcome=vocab.Outcome.RESOLVED,
            reflection="",
            resolved_by=alex,
            at=at,
        ),
    ]


def records(count: int) -> Iterator[list[tuple[Any, ...]]]:
    """COPY records of whole plans, ``COPY_CHUNK`` events at a time, ``count`` in all."""
    metadata = f'{{"actor":"system:bench","correlation_id":"{uuid4()}"}}'
    chunk: list[tuple[Any, ...]] = []
    made, plan = 0, 0
    while made < count:
        lifetime = plan_events(plan)
        created = lifetime[0]
        if not isinstance(created, ev.PlanCreated):
            raise TypeError("a plan's stream starts with plan.created")
        for version, event in enumerate(lifetime[: count - made], start=1):
            kind = ev.event_type(event)
            recorded = START + timedelta(minutes=plan, seconds=version)
            payload = ev.encode(event).decode()
            chunk.append(
                (
                    created.plan_id,
                    version,
                    uuid4(),
                    kind,
                    current_version(kind),
                    payload,
                    metadata,
                    recorded,
                )
            )
            made += 1
        plan += 1
        if len(chunk) >= COPY_CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def fill(conn: asyncpg.Connection, count: int) -> None:
    """Store ``count`` events of whole plans in ``events`` by COPY, then VACUUM it.

    Vacuumed, every row's hint bits are set, as in a store that has been up a while; the
    first reader does not pay for writing them.
    """
    for chunk in records(count):
        await conn.copy_records_to_table("events", records=chunk, columns=COLUMNS)
    await conn.execute("VACUUM (ANALYZE) events")
