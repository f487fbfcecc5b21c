"""The worker's one look at the ledger: what it finds is what each step would select."""

from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from uuid_utils.compat import uuid7

from notifier import migrations, work

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
    assert await work.probe(ledger, NOW) == work.Work(
        sendable=False, timers_due=False, unreported=False, next_due=None
    )


@pytest.mark.parametrize(
    ("lease_left", "sendable"),
    [(None, True), (timedelta(seconds=-1), True), (timedelta(minutes=1), False)],
    ids=["never leased", "lease lapsed", "leased"],
)
async def test_a_claim_is_sendable_unless_its_lease_holds(
    ledger: asyncpg.Pool, lease_left: timedelta | None, *, sendable: bool
) -> None:
    now = datetime.now(UTC)  # leases are compared with the database's clock
    await _delivery(ledger, lease_until=None if lease_left is None else now + lease_left)

    assert (await work.probe(ledger, now)).sendable is sendable


async def test_finished_deliveries_are_unreported_until_reported(ledger: asyncpg.Pool) -> None:
    await _delivery(ledger, status="skipped")  # skipped ones are never reported
    await _delivery(ledger, status="sent", reported_at=NOW)
    assert (await work.probe(ledger, NOW)).unreported is False

    await _delivery(ledger, status="failed")

    found = await work.probe(ledger, NOW)
    assert found.unreported is True
    assert found.sendable is False


async def test_a_fired_escalation_is_unreported_until_reported(ledger: asyncpg.Pool) -> None:
    await _timer(ledger, NOW, "fired")  # the last tier: nothing to report
    await _timer(ledger, NOW, "fired", reported=True)
    assert (await work.probe(ledger, NOW)).unreported is False

    await _timer(ledger, NOW, "fired", reported=False)

    assert (await work.probe(ledger, NOW)).unreported is True


async def test_timers_are_due_by_the_given_clock_and_the_next_one_is_named(
    ledger: asyncpg.Pool,
) -> None:
    soon, later = NOW + timedelta(seconds=30), NOW + timedelta(minutes=5)
    await _timer(ledger, NOW - timedelta(minutes=1), "cancelled")
    await _timer(ledger, later)
    await _timer(ledger, soon)

    before = await work.probe(ledger, NOW)
    after = await work.probe(ledger, soon)

    assert (before.timers_due, before.next_due) == (False, soon)
    assert (after.timers_due, after.next_due) == (True, soon)
