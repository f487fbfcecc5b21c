"""Firing escalation timers: when nobody acknowledged a tier in time, alert the next one.

The activation's current state is read under the timer's lock, so a timer that comes due
after an acknowledgement or a resolution pages nobody.
"""

import logging
from datetime import UTC, datetime

import asyncpg

from notifier import ledger, timers
from notifier.domain import deliveries as plan
from notifier.domain.escalation import Escalate, NoAnswer, next_step
from notifier.handling import Handling
from notifier.ids import new_id
from notifier.ledger import Connection
from notifier.timers import DueTimer

log = logging.getLogger("notifier.escalator")


class Escalator:
    def __init__(self, pool: asyncpg.Pool, handling: Handling) -> None:
        self.pool = pool
        self.handling = handling

    async def fire_due(self) -> int:
        """Fire every timer that is due; return how many fired."""
        async with self.pool.acquire() as conn, conn.transaction():
            now = datetime.now(UTC)
            due = await timers.due(conn, now)
            for timer in due:
                await self._fire(conn, timer, now)
        return len(due)

    async def _fire(self, conn: Connection, timer: DueTimer, now: datetime) -> None:
        record = await ledger.load_activation(conn, timer.activation_id)
        if record is None:
            await timers.retire(conn, timer)
            return
        step = next_step(record.snapshot, timer.tier, record.status)
        match step:
            case Escalate(tier=tier):
                await timers.fire(conn, timer, new_id())
                await self.handling.alert_tier(conn, record.plan_id, record.snapshot, tier, now)
                log.info("escalation.next_tier activation_id=%s tier=%d", timer.activation_id, tier)
            case NoAnswer():
                await timers.fire(conn, timer, None)  # the no-answer note is its own report
                planned = plan.no_answer_deliveries(record.plan_id, record.snapshot)
                await ledger.claim(conn, planned, self.handling.renderer(record.snapshot, {}))
                log.info("escalation.no_answer activation_id=%s", timer.activation_id)
            case _:
                await timers.retire(conn, timer)  # answered already: a late timer is silent
