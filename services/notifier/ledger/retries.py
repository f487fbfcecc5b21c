"""A round of tries that failed for now: the claim stays, with the time of its next round.

The claim keeps its delivery id, so every round sends the same webhook-id, Message-ID and
Idempotency-Key. Once it has failed long enough to count as failed (the schedule says
when), it gets a report id of its own: the planner hears "failed" while the rounds go on,
and "sent" under the delivery id if one of them goes through.
"""

from datetime import datetime
from uuid import UUID

import msgspec

from common.ids import new_id
from notifier.ledger.sessions import WAKE_REPORT, WORK_CHANNEL, Connection, Executor

# One statement: the claim is let go (its lease cleared) with its next round's time; when it
# counts as failed for the first time, it gets its report id and wakes the reporter.
RETRY = """
WITH retried AS (
    UPDATE notifier.deliveries SET
        attempts = attempts + $2, reason = $3, next_attempt_at = $4,
        failed_rounds = failed_rounds + 1, failing_since = coalesce(failing_since, $5),
        failing_report_id = CASE WHEN $6 AND failing_report_id IS NULL THEN $7
                                 ELSE failing_report_id END,
        failing_at = CASE WHEN $6 AND failing_report_id IS NULL THEN $8 ELSE failing_at END,
        lease_until = NULL, lease_holder = NULL
    WHERE delivery_id = $1 AND status = 'claimed'
    RETURNING failing_report_id IS NOT DISTINCT FROM $7 AS newly_failing
), woken AS (
    SELECT pg_notify($9, $10) FROM retried WHERE newly_failing
)
SELECT newly_failing, (SELECT count(*) FROM woken) AS woken FROM retried
"""  # woken is read so that its NOTIFY runs: PostgreSQL skips a SELECT CTE nobody reads
# Every alert of this activation to this recipient has failed, for good or for now.
RECIPIENT_UNREACHABLE = """
SELECT NOT EXISTS (
    SELECT 1 FROM notifier.deliveries
    WHERE activation_id = $1 AND recipient_id = $2 AND message = 'alert'
      AND NOT (status = 'failed' AND permanent)
      AND NOT (status = 'claimed' AND failing_report_id IS NOT NULL))
"""


class NextRound(msgspec.Struct, frozen=True, kw_only=True):
    at: datetime
    failing_since: datetime
    counts_as_failed: bool
    attempts: int
    reason: str | None


async def retry_later(
    conn: Executor, delivery_id: UUID, next_round: NextRound, now: datetime
) -> bool:
    """Let the claim go until ``next_round.at``; True when it counts as failed from now on."""
    row = await conn.fetchrow(
        RETRY,
        delivery_id,
        next_round.attempts,
        next_round.reason,
        next_round.at,
        next_round.failing_since,
        next_round.counts_as_failed,
        new_id(),
        now,
        WORK_CHANNEL,
        WAKE_REPORT,
    )
    return bool(row is not None and row["newly_failing"])


async def recipient_unreachable(conn: Connection, activation_id: UUID, recipient_id: UUID) -> bool:
    """Whether every alert of the activation to the recipient has failed (for good or for now)."""
    return bool(await conn.fetchval(RECIPIENT_UNREACHABLE, activation_id, recipient_id))
