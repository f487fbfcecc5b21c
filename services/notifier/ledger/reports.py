"""What the planner has not been told of yet: finished deliveries and fired escalations.

The reporter publishes these from the ledger, not at the moment they happen, and marks
them reported once NATS acknowledged them; a NATS outage delays reports, and a retry
sends one again under the same report id, which the planner stores once.

A delivery may be reported twice, under two ids: "failed" once it has failed long enough
to count as failed while its retries go on (under its ``failing_report_id``), then how it
ended (under its delivery id). The ending waits until the first is reported, so the
planner hears them in that order.
"""

from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from notifier.ledger.sessions import Executor

UNREPORTED_DELIVERIES = """
(SELECT delivery_id AS report_id, delivery_id, plan_id, activation_id, recipient_id,
    channel_kind, tier, message, status, reason, attempts, finished_at AS at, correlation_id,
    about, request_id
 FROM notifier.deliveries
 WHERE reported_at IS NULL AND status IN ('sent', 'failed')
   AND (failing_report_id IS NULL OR failing_reported_at IS NOT NULL)
 ORDER BY finished_at LIMIT $1)
UNION ALL
(SELECT failing_report_id, delivery_id, plan_id, activation_id, recipient_id, channel_kind,
    tier, message, 'failed', reason, attempts, failing_at, correlation_id, about, request_id
 FROM notifier.deliveries
 WHERE failing_report_id IS NOT NULL AND failing_reported_at IS NULL
 ORDER BY failing_at LIMIT $1)
"""
# A report's id is its delivery's id (how it ended) or its failing_report_id.
DELIVERIES_REPORTED = """
UPDATE notifier.deliveries SET reported_at = now()
WHERE delivery_id = ANY($1::uuid[]) AND status IN ('sent', 'failed')
"""
FAILING_REPORTED = """
UPDATE notifier.deliveries SET failing_reported_at = now()
WHERE failing_report_id = ANY($1::uuid[])
"""
UNREPORTED_ESCALATIONS = """
SELECT t.activation_id, t.tier, t.report_id, t.fired_at, a.plan_id
FROM notifier.timers t JOIN notifier.activations a USING (activation_id)
WHERE t.status = 'fired' AND t.report_id IS NOT NULL AND t.reported_at IS NULL
LIMIT $1
"""
ESCALATIONS_REPORTED = """
UPDATE notifier.timers SET reported_at = now() WHERE report_id = ANY($1::uuid[])
"""


class FiredTimer(msgspec.Struct, frozen=True, kw_only=True):
    """A timer that fired into the next tier: an escalation to report under ``report_id``."""

    activation_id: UUID
    plan_id: UUID
    tier: int
    report_id: UUID
    fired_at: datetime


async def unreported_deliveries(conn: Executor, limit: int = 100) -> list[asyncpg.Record]:
    """Deliveries finished, or failing while retried, the planner has not been told of yet."""
    return list(await conn.fetch(UNREPORTED_DELIVERIES, limit))


async def mark_deliveries_reported(conn: Executor, report_ids: list[UUID]) -> None:
    await conn.execute(DELIVERIES_REPORTED, report_ids)
    await conn.execute(FAILING_REPORTED, report_ids)


async def unreported_escalations(conn: Executor, limit: int = 100) -> list[FiredTimer]:
    """Escalations (timers fired into the next tier) the planner has not been told of yet."""
    rows = await conn.fetch(UNREPORTED_ESCALATIONS, limit)
    return [FiredTimer(**row) for row in rows]


async def mark_escalations_reported(conn: Executor, report_ids: list[UUID]) -> None:
    await conn.execute(ESCALATIONS_REPORTED, report_ids)
