"""What the worker's chores find in one look at the ledger, and what wakes each loop."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import msgspec
import pytest
from uuid_utils.compat import uuid7

from contracts.events import PlanActivated
from contracts.ids import ActivationId
from contracts.vocabulary import Channel, ChannelKind, MessageKind
from notifier.channels.base import DeliveryOutcome
from notifier.domain.alert_text import Rendered
from notifier.domain.deliveries import PlannedDelivery
from notifier.domain.escalation import ActivationStatus
from notifier.ledger import activations, chores, claims, leasing, migrations, outcomes, timers
from notifier.ledger.sessions import WAKE_REPORT, WAKE_SEND, WAKE_TIMER, WORK_CHANNEL
from tests.support.eventually import eventually
from tests.unit.notifier_domain.builders import activation

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC)
DELIVERY = """
INSERT INTO notifier.deliveries (delivery_id, claim_key, plan_id, recipient_id,
    recipient_name, channel_kind, address, tier, message, subject, body, payload, status,
    lease_until, reported_at)
VALUES ($1::uuid, $1::uuid::text, $1::uuid, $1::uuid, 'r', 'webhook', 'https://example.test', 1, 'alert', 's', 'b',
    '{}', $2, $3, $4)
"""
TIMER = """
INSERT INTO notifier.timers (activation_id, tier, fires_at, status, report_id, reported_at)
VALUES ($1, 1, $2, $3, $4, $5)
"""


@pytest.fixture
async def ledger(db_pool: asyncpg.Pool) -> asyncpg.Pool:
    async with db_pool.acquire() as conn:
        await migrations.migrate(conn)
    return db_pool


async def _delivery(
    pool: asyncpg.Pool,
    status: str = "claimed",
    lease_until: datetime | None = None,
    reported_at: datetime | None = None,
) -> None:
    await pool.execute(DELIVERY, uuid7(), status, lease_until, reported_at)


async def _timer(
    pool: asyncpg.Pool,
    fires_at: datetime,
    status: str = "pending",
    *,
    reported: bool | None = None,  # None: fired without an escalation to report
) -> None:
    report_id = None if reported is None else uuid7()
    await pool.execute(TIMER, uuid7(), fires_at, status, report_id, NOW if reported else None)


async def test_an_empty_ledger_has_nothing_to_do(ledger: asyncpg.Pool) -> None:
    assert await chores.probe(ledger, NOW) == chores.Work(
        timers_due=False, unreported=False, next_due=None
    )


async def test_finished_deliveries_are_unreported_until_reported(ledger: asyncpg.Pool) -> None:
    await _delivery(ledger, status="skipped")  # skipped ones are never reported
    await _delivery(ledger, status="sent", reported_at=NOW)
    assert (await chores.probe(ledger, NOW)).unreported is False

    await _delivery(ledger, status="failed")

    assert (await chores.probe(ledger, NOW)).unreported is True


async def test_a_fired_escalation_is_unreported_until_reported(ledger: asyncpg.Pool) -> None:
    await _timer(ledger, NOW, "fired")  # the last tier: nothing to report
    await _timer(ledger, NOW, "fired", reported=True)
    assert (await chores.probe(ledger, NOW)).unreported is False

    await _timer(ledger, NOW, "fired", reported=False)

    assert (await chores.probe(ledger, NOW)).unreported is True


async def test_timers_are_due_by_the_given_clock_and_the_next_one_is_named(
    ledger: asyncpg.Pool,
) -> None:
    soon, later = NOW + timedelta(seconds=30), NOW + timedelta(minutes=5)
    await _timer(ledger, NOW - timedelta(minutes=1), "cancelled")
    await _timer(ledger, later)
    await _timer(ledger, soon)

    before = await chores.probe(ledger, NOW)
    after = await chores.probe(ledger, soon)

    assert (before.timers_due, before.next_due) == (False, soon)
    assert (after.timers_due, after.next_due) == (True, soon)


class Heard:
    """The payloads of the NOTIFYs heard: which of the worker's loops each one wakes."""

    def __init__(self) -> None:
        self.payloads: list[str] = []

    def __call__(self, *args: object) -> None:
        self.payloads.append(str(args[-1]))


@pytest.fixture
async def heard(db_url: str, ledger: asyncpg.Pool) -> AsyncIterator[Heard]:
    """NOTIFYs on the workers' channel, heard by a session of its own."""
    listener = await asyncpg.connect(db_url)
    wakes = Heard()
    await listener.add_listener(WORK_CHANNEL, wakes)
    try:
        yield wakes
    finally:
        await listener.close()


def _planned() -> PlannedDelivery:
    return PlannedDelivery(
        activation_id=uuid7(),
        plan_id=uuid7(),
        recipient_id=uuid7(),
        recipient_name="Dana",
        channel=Channel(kind=ChannelKind.WEBHOOK, address="https://example.test/hook"),
        tier=1,
        message=MessageKind.ALERT,
    )


SENT = DeliveryOutcome(sent=True, permanent=False, reason=None, attempts=1)


def _activated(planned: PlannedDelivery) -> PlanActivated:
    assert planned.activation_id is not None
    return msgspec.structs.replace(activation(), activation_id=ActivationId(planned.activation_id))


def _render(_: PlannedDelivery, __: int) -> Rendered:
    return Rendered(subject="s", text="t", payload={})


async def _heard_after(heard: Heard, expected: list[str]) -> None:
    await eventually(lambda: len(heard.payloads) >= len(expected))
    await asyncio.sleep(0.1)  # and no more than that
    assert heard.payloads == expected


async def test_new_claims_wake_the_workers_once_committed_and_repeats_do_not(
    ledger: asyncpg.Pool, heard: Heard
) -> None:
    planned = [_planned(), _planned()]
    async with ledger.acquire() as conn, conn.transaction():
        assert await claims.claim(conn, planned, _render) == len(planned)
        await asyncio.sleep(0.1)
        assert heard.payloads == []  # not before the claims commit

    await _heard_after(heard, [WAKE_SEND])  # one wake for the batch
    async with ledger.acquire() as conn, conn.transaction():
        assert await claims.claim(conn, planned, _render) == 0
    await _heard_after(heard, [WAKE_SEND])


async def test_a_finished_send_and_a_new_timer_wake_the_workers(
    ledger: asyncpg.Pool, heard: Heard
) -> None:
    async with ledger.acquire() as conn:
        await claims.claim(conn, [_planned()], _render)
        (lease,) = await leasing.lease(conn, 30)
    assert lease.activation_status is None  # an activation the ledger does not know
    await _heard_after(heard, [WAKE_SEND])

    await outcomes.finish(ledger, lease.delivery_id, SENT)
    await _heard_after(heard, [WAKE_SEND, WAKE_REPORT])
    await outcomes.finish(ledger, lease.delivery_id, SENT)
    await _heard_after(heard, [WAKE_SEND, WAKE_REPORT])  # finished already: nothing new

    async with ledger.acquire() as conn:
        await timers.start(conn, uuid7(), 1, datetime.now(UTC))
    await _heard_after(heard, [WAKE_SEND, WAKE_REPORT, WAKE_TIMER])


async def test_a_lease_carries_its_activations_state_at_that_moment(
    ledger: asyncpg.Pool,
) -> None:
    alert, consent_request = _planned(), msgspec.structs.replace(_planned(), activation_id=None)
    async with ledger.acquire() as conn, conn.transaction():
        await activations.remember_activation(conn, alert.plan_id, _activated(alert))
        await claims.claim(conn, [alert], _render)
        await claims.claim(conn, [consent_request], _render)
    assert alert.activation_id is not None
    await activations.mark_resolved(ledger, alert.activation_id)

    leases = {lease.activation_id: lease for lease in await leasing.lease(ledger, 30)}

    assert leases[alert.activation_id].activation_status is ActivationStatus.RESOLVED
    assert leases[None].activation_status is None


async def _claimed_alert(ledger: asyncpg.Pool) -> tuple[PlannedDelivery, leasing.Lease]:
    alert = _planned()
    async with ledger.acquire() as conn, conn.transaction():
        await activations.remember_activation(conn, alert.plan_id, _activated(alert))
        await claims.claim(conn, [alert], _render)
    (lease,) = await leasing.lease(ledger, 30)
    return alert, lease


async def test_an_alert_sent_is_recorded_in_one_statement_and_its_first_time_once(
    ledger: asyncpg.Pool, heard: Heard
) -> None:
    alert, lease = await _claimed_alert(ledger)
    assert alert.activation_id is not None
    await _heard_after(heard, [WAKE_SEND])

    recorded = await outcomes.record_alert_sent(
        ledger, lease.delivery_id, alert.activation_id, SENT
    )
    again = await outcomes.record_alert_sent(ledger, lease.delivery_id, alert.activation_id, SENT)

    assert recorded is not None
    assert recorded.first_after_seconds is not None  # the activation's first alert sent
    assert again is not None
    assert again.first_after_seconds is None
    status = "SELECT status FROM notifier.deliveries WHERE delivery_id = $1"
    assert await ledger.fetchval(status, lease.delivery_id) == "sent"
    await _heard_after(heard, [WAKE_SEND, WAKE_REPORT])  # the second found it finished


async def test_an_alert_sent_after_its_activation_resolved_is_left_to_the_all_clear_path(
    ledger: asyncpg.Pool,
) -> None:
    alert, lease = await _claimed_alert(ledger)
    assert alert.activation_id is not None
    await activations.mark_resolved(ledger, alert.activation_id)

    recorded = await outcomes.record_alert_sent(
        ledger, lease.delivery_id, alert.activation_id, SENT
    )

    assert recorded is None  # nothing written: the caller claims the all-clear it owes
    row = await ledger.fetchrow(
        "SELECT d.status, a.first_delivered_at FROM notifier.deliveries AS d "
        "JOIN notifier.activations AS a USING (activation_id) WHERE d.delivery_id = $1",
        lease.delivery_id,
    )
    assert row["status"] == "claimed"
    assert row["first_delivered_at"] is None
    unknown = await outcomes.record_alert_sent(ledger, lease.delivery_id, uuid7(), SENT)
    assert unknown is None
