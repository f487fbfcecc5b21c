"""The ledger's durable retries, its reports of a failing delivery, and leases of dead holders."""

from datetime import UTC, datetime, timedelta

import asyncpg
import msgspec
import pytest
from uuid_utils.compat import uuid7

from contracts.ids import ActivationId
from contracts.vocabulary import Channel, ChannelKind, MessageKind
from notifier.channels.base import DeliveryOutcome
from notifier.domain.alert_text import Rendered
from notifier.domain.deliveries import PlannedDelivery
from notifier.domain.retrying import RetrySchedule
from notifier.ledger import activations, claims, leasing, migrations, outcomes, presence, timers
from notifier.ledger import reports as ledger_reports
from notifier.ledger.retries import NextRound, retry_later
from notifier.loops import failures
from tests.unit.notifier_domain.builders import activation

pytestmark = pytest.mark.integration

SENT = DeliveryOutcome(sent=True, permanent=False, reason=None, attempts=1)


@pytest.fixture
async def ledger(db_pool: asyncpg.Pool) -> asyncpg.Pool:
    async with db_pool.acquire() as conn:
        await migrations.migrate(conn)
    return db_pool


def _render(_: PlannedDelivery, __: int) -> Rendered:
    return Rendered(subject="s", text="t", payload={})


async def _alerts(ledger: asyncpg.Pool, count: int = 1) -> list[PlannedDelivery]:
    """``count`` alerts of one known activation's tier 1, claimed."""
    activation_id = ActivationId(uuid7())
    activated = msgspec.structs.replace(activation(), activation_id=activation_id)
    planned = [
        PlannedDelivery(
            activation_id=activation_id,
            plan_id=activated.activation_id,
            recipient_id=uuid7(),
            recipient_name="Dana",
            channel=Channel(kind=ChannelKind.WEBHOOK, address=f"https://example.test/{i}"),
            tier=1,
            message=MessageKind.ALERT,
        )
        for i in range(count)
    ]
    async with ledger.acquire() as conn, conn.transaction():
        await activations.remember_activation(conn, planned[0].plan_id, activated)
        await claims.claim(conn, planned, _render)
    return planned


def _round(at: datetime, *, counts: bool = False) -> NextRound:
    return NextRound(
        at=at, failing_since=at, counts_as_failed=counts, attempts=3, reason="http 503"
    )


async def test_a_round_failed_for_now_keeps_its_claim_until_its_next_round_is_due(
    ledger: asyncpg.Pool,
) -> None:
    await _alerts(ledger)
    now = datetime.now(UTC)
    (first,) = await leasing.lease(ledger, 30, now=now)
    due = now + timedelta(seconds=30)

    assert await retry_later(ledger, first.delivery_id, _round(due), now) is False

    assert await leasing.lease(ledger, 30, now=now + timedelta(seconds=29)) == []
    assert await leasing.next_due(ledger, now) == due
    (again,) = await leasing.lease(ledger, 30, now=due)
    assert again.delivery_id == first.delivery_id  # same id: same webhook-id on every round
    assert (again.failed_rounds, again.failing_since, again.failing) == (1, due, False)
    assert await leasing.next_due(ledger, due) is None


async def test_new_claims_are_leased_before_retries_that_are_due(ledger: asyncpg.Pool) -> None:
    await _alerts(ledger)
    now = datetime.now(UTC)
    (old,) = await leasing.lease(ledger, 30, now=now)
    await retry_later(ledger, old.delivery_id, _round(now), now)
    await _alerts(ledger)

    (first,) = await leasing.lease(ledger, 30, 1, now=now)  # room for one

    assert first.delivery_id != old.delivery_id


async def test_a_receivers_retry_after_sets_the_next_round(ledger: asyncpg.Pool) -> None:
    await _alerts(ledger)
    (lease,) = await leasing.lease(ledger, 30)
    asked = DeliveryOutcome(
        sent=False, permanent=False, reason="http 429", attempts=3, retry_after=120.0
    )
    before = datetime.now(UTC)

    recorded = await failures.record(ledger, RetrySchedule(), lease, asked)

    assert recorded == failures.Recorded(retried=True, counts=False)
    row = await ledger.fetchrow(
        "SELECT status, next_attempt_at, attempts, reason FROM notifier.deliveries"
        " WHERE delivery_id = $1",
        lease.delivery_id,
    )
    assert (row["status"], row["attempts"], row["reason"]) == ("claimed", 3, "http 429")
    assert row["next_attempt_at"] >= before + timedelta(seconds=120)


async def test_a_hopeless_failure_finishes_the_delivery_and_counts_once(
    ledger: asyncpg.Pool,
) -> None:
    await _alerts(ledger)
    (lease,) = await leasing.lease(ledger, 30)
    hopeless = DeliveryOutcome(sent=False, permanent=True, reason="http 404", attempts=1)

    recorded = await failures.record(ledger, RetrySchedule(), lease, hopeless)

    assert recorded == failures.Recorded(retried=False, counts=True)
    status = "SELECT status, permanent FROM notifier.deliveries WHERE delivery_id = $1"
    assert tuple(await ledger.fetchrow(status, lease.delivery_id)) == ("failed", True)


async def test_a_delivery_failing_long_enough_is_reported_failed_then_sent_in_that_order(
    ledger: asyncpg.Pool,
) -> None:
    await _alerts(ledger)
    now = datetime.now(UTC)
    (lease,) = await leasing.lease(ledger, 30, now=now)

    assert await retry_later(ledger, lease.delivery_id, _round(now, counts=True), now) is True
    (again,) = await leasing.lease(ledger, 30, now=now)
    assert again.failing is True
    assert await retry_later(ledger, lease.delivery_id, _round(now, counts=True), now) is False
    (failing,) = await ledger_reports.unreported_deliveries(ledger)
    assert (failing["delivery_id"], failing["status"]) == (lease.delivery_id, "failed")
    assert failing["report_id"] != lease.delivery_id

    (last,) = await leasing.lease(ledger, 30, now=now)
    await outcomes.finish(ledger, last.delivery_id, SENT)
    (still,) = await ledger_reports.unreported_deliveries(ledger)
    assert still["report_id"] == failing["report_id"]  # the ending waits for it
    await ledger_reports.mark_deliveries_reported(ledger, [failing["report_id"]])
    (sent,) = await ledger_reports.unreported_deliveries(ledger)
    assert (sent["report_id"], sent["status"]) == (lease.delivery_id, "sent")
    await ledger_reports.mark_deliveries_reported(ledger, [sent["report_id"]])
    assert await ledger_reports.unreported_deliveries(ledger) == []


async def test_a_tier_whose_every_alert_is_failing_for_now_is_hurried(
    ledger: asyncpg.Pool,
) -> None:
    first, second = await _alerts(ledger, 2)
    assert first.activation_id is not None
    async with ledger.acquire() as conn:
        await timers.start(conn, first.activation_id, 1, datetime.now(UTC) + timedelta(hours=1))
    now = datetime.now(UTC)
    leases = {lease.channel.address: lease for lease in await leasing.lease(ledger, 30, now=now)}
    one, other = leases[first.channel.address], leases[second.channel.address]

    later = now + timedelta(hours=1)
    await retry_later(ledger, one.delivery_id, _round(later, counts=True), now)
    await retry_later(ledger, other.delivery_id, _round(now), now)  # failing, but not for long
    assert await timers.hurry_if_tier_failed(ledger, first.activation_id, 1) is False

    (other_again,) = await leasing.lease(ledger, 30, now=now)
    await retry_later(ledger, other_again.delivery_id, _round(now, counts=True), now)
    assert await timers.hurry_if_tier_failed(ledger, first.activation_id, 1) is True


async def test_leases_whose_holder_is_gone_are_freed_at_once_and_a_live_ones_are_kept(
    ledger: asyncpg.Pool, db_url: str
) -> None:
    await _alerts(ledger, 2)
    dead_session, live_session = await asyncpg.connect(db_url), await asyncpg.connect(db_url)
    try:
        dead, live = await presence.new_holder(dead_session), await presence.new_holder(ledger)
        assert await presence.hold(dead_session, dead)
        assert await presence.hold(live_session, live)
        (of_dead,) = await leasing.lease(ledger, 600, 1, holder=dead)
        (of_live,) = await leasing.lease(ledger, 600, 1, holder=live)
        ours = await presence.new_holder(ledger)
        assert await presence.release_orphaned(ledger, ours) == 0  # both alive

        await dead_session.close()  # what a killed notifier's session does
        assert await presence.release_orphaned(ledger, live) == 1

        (taken_over,) = await leasing.lease(ledger, 600)
        assert taken_over.delivery_id == of_dead.delivery_id
        assert of_live.delivery_id != of_dead.delivery_id
    finally:
        await dead_session.close()
        await live_session.close()


async def test_a_holder_never_frees_its_own_leases(ledger: asyncpg.Pool) -> None:
    await _alerts(ledger)
    mine = await presence.new_holder(ledger)
    await leasing.lease(ledger, 600, holder=mine)  # and no session holds its lock

    assert await presence.release_orphaned(ledger, mine) == 0
