"""Recording a round of tries that did not deliver: given up, or left for its next round.

The schedule (``notifier.domain.retrying``) decides; this applies it to the ledger. A
delivery left for its next round keeps its claim and its delivery id, so every round is
the same message under the same idempotency key.
"""

import random
from datetime import UTC, datetime

import asyncpg
import msgspec
import structlog

from notifier.channels.base import DeliveryOutcome
from notifier.domain.retrying import Failure, GiveUp, RetrySchedule, TryAgain, after_failure
from notifier.ledger import outcomes, retries
from notifier.ledger.leasing import Lease
from notifier.ledger.retries import NextRound

log = structlog.stdlib.get_logger("notifier.sender")


class Recorded(msgspec.Struct, frozen=True, kw_only=True):
    retried: bool
    """Left for its next round (else finished as failed)."""
    counts: bool
    """Its failure counts from now on, for early escalation and telling the one who asked
    (it failed for good, or has failed long enough); True once per delivery."""


async def record(
    pool: asyncpg.Pool, schedule: RetrySchedule, lease: Lease, outcome: DeliveryOutcome
) -> Recorded:
    now = datetime.now(UTC)
    failure = Failure(
        hopeless=outcome.permanent,
        reason=outcome.reason,
        retry_after=outcome.retry_after,
        failed_rounds=lease.failed_rounds,
        failing_since=lease.failing_since,
    )
    match after_failure(schedule, failure, now, random.random()):  # noqa: S311 - jitter
        case GiveUp(reason=reason):
            given_up = msgspec.structs.replace(outcome, permanent=True, reason=reason)
            await outcomes.finish(pool, lease.delivery_id, given_up)
            return Recorded(retried=False, counts=not lease.failing)  # failing: counted
        case TryAgain() as again:
            next_round = NextRound(
                at=again.at,
                failing_since=again.failing_since,
                counts_as_failed=again.counts_as_failed,
                attempts=outcome.attempts,
                reason=outcome.reason,
            )
            counts = await retries.retry_later(pool, lease.delivery_id, next_round, now)
            log.info(
                "delivery.retry_scheduled",
                delivery_id=lease.delivery_id,
                in_seconds=round((again.at - now).total_seconds(), 1),
                failing_for=round((now - again.failing_since).total_seconds(), 1),
                counts_as_failed=again.counts_as_failed,
            )
            return Recorded(retried=True, counts=counts)
