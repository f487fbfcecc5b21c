"""Telling partners ahead of time that a support contact's consent ends.

A periodic check, the simplest thing that survives restarts with no timer of its own:
every ``consent_check_seconds`` each planner lists the consents that end within the notice
period (read from the events, the one source of truth), and runs ``NoticeConsentExpiry``
on each plan. The decider says it once per consent: ``plan.consent_expiring``, which the
notifier sends to the partners' own channels; a later round, another planner, or a consent
renewed, withdrawn or already noticed decides nothing. A check that fails is logged and
tried again next round.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg
import structlog

from common.ids import new_id
from common.waiting import in_background, wait_any
from contracts.envelope import Metadata
from contracts.ids import ContactId
from contracts.support_events import CONSENT_DAYS_DEFAULT
from planner import handlers
from planner.domain.commands import NoticeConsentExpiry
from planner.domain.errors import DomainError
from planner.store import accounts

log = structlog.stdlib.get_logger("planner.consent_ends")

ACTOR = "system:consent-ends"

# Each consent's end, as the consent says it (a consent from before ends had none: it
# lasts the default from when it was given), among those ending within the window.
ENDING = """
SELECT DISTINCT stream_id, payload->>'contact_id' AS contact_id
FROM events
WHERE event_type = 'plan.consent_given'
  AND coalesce((payload->>'expires_at')::timestamptz,
               (payload->>'at')::timestamptz + make_interval(days => $3))
      BETWEEN $1 AND $2
"""


async def notice_due(pool: asyncpg.Pool, now: datetime, notice_days: int, chain_key: bytes) -> int:
    """Tell the partners of every consent ending within ``notice_days``; how many plans
    were told something this round."""
    rows = await pool.fetch(ENDING, now, now + timedelta(days=notice_days), CONSENT_DAYS_DEFAULT)
    told = 0
    for row in rows:
        plan_id = UUID(str(row["stream_id"]))
        command = NoticeConsentExpiry(
            now=now,
            contact_id=ContactId(UUID(row["contact_id"])),
            notice_days=notice_days,
            partner_channels=await accounts.partner_channels(pool, plan_id),
        )
        metadata = Metadata(actor=ACTOR, correlation_id=new_id())
        result = await handlers.execute(pool, plan_id, command, metadata, chain_key=chain_key)
        told += bool(result.appended)
    return told


@asynccontextmanager
async def noticing(
    pool: asyncpg.Pool, chain_key: bytes, notice_days: int, every_seconds: float
) -> AsyncIterator[None]:
    """Check for consents that end soon in the background for the duration of the block."""

    async def rounds(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                told = await notice_due(pool, datetime.now(UTC), notice_days, chain_key)
            except (asyncpg.PostgresError, OSError, DomainError) as exc:
                log.warning("consent_ends.check_failed", error=type(exc).__name__)
            else:
                if told:
                    log.info("consent_ends.noticed", plans=told)
            await wait_any([stop], every_seconds)

    async with in_background(
        rounds, name="consent-ends", log=log, late="consent_ends.stop_timeout"
    ):
        yield
