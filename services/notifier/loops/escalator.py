"""Firing escalation timers: when nobody acknowledged a tier in time, alert the next one.

The activation's current state is read under the timer's lock, so a timer that comes due
after an acknowledgement or a resolution pages nobody.
"""

from datetime import UTC, datetime

import asyncpg
import structlog

from common.ids import new_id
from notifier import correlation
from notifier.alerting.handlers import Alerting
from notifier.domain.escalation import Escalate, NoAnswer, Step, next_step
from notifier.ledger import activations, timers
from notifier.ledger.sessions import Connection
from notifier.ledger.timers import DueTimer
from notifier.metrics import ESCALATIONS

log = structlog.stdlib.get_logger("notifier.escalator")


class Escalator:
    def __init__(self, pool: asyncpg.Pool, alerting: Alerting) -> None:
        self.pool = pool
        self.alerting = alerting

    async def fire_due(self) -> int:
        """Fire every timer that is due; return how many fired."""
        async with self.pool.acquire() as conn, conn.transaction():
            now = datetime.now(UTC)
            due = await timers.due(conn, now)
            for timer in due:
                await self._fire(conn, timer, now)
        return len(due)

    async def _fire(self, conn: Connection, timer: DueTimer, now: datetime) -> None:
        record = await activations.load_activation(conn, timer.activation_id)
        if record is None:
            await timers.retire(conn, timer)
            return
        step = next_step(record.snapshot, timer.tier, record.status)
        # The claims of a later tier carry the activation's own correlation id.
        with correlation.bound(record.correlation_id):
            await self._step(conn, timer, record, step, now)

    async def _step(
        self,
        conn: Connection,
        timer: DueTimer,
        record: activations.ActivationRecord,
        step: Step,
        now: datetime,
    ) -> None:
        match step:
            case Escalate(tier=tier):
                await timers.fire(conn, timer, new_id())
                await self.alerting.alert_tier(conn, record.plan_id, record.snapshot, tier, now)
                ESCALATIONS.labels(kind="next_tier").inc()
                log.info("escalation.next_tier", activation_id=timer.activation_id, tier=tier)
            case NoAnswer():
                await timers.fire(conn, timer, None)  # the no-answer note is its own report
                await self.alerting.nobody_answered(conn, record)
                ESCALATIONS.labels(kind="no_answer").inc()
                log.info("escalation.no_answer", activation_id=timer.activation_id)
            case _:
                await timers.retire(conn, timer)  # answered already: a late timer is silent
