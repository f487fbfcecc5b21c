"""Telling the planner what happened: finished deliveries and escalations, over NATS.

Reports are published from the ledger (not at the moment of sending), with the report id
as ``Nats-Msg-Id``, so a NATS outage delays them and a retry never doubles them; the
planner stores each report once under that same id.
"""

from uuid import UUID

import asyncpg
import msgspec
from nats.js import JetStreamContext

from contracts.delivery import DeliveryReported, NotifierReport, TierEscalated, subject_key
from contracts.events import ChannelKind, DeliveryStatus, MessageKind
from contracts.ids import ActivationId, PlanId
from contracts.subjects import HEADER_CORRELATION_ID, HEADER_MSG_ID, delivery_subject
from notifier import ledger, timers


class Reporter:
    def __init__(self, pool: asyncpg.Pool, js: JetStreamContext) -> None:
        self.pool = pool
        self.js = js

    async def drain(self) -> int:
        """Publish every unreported outcome; return how many. NATS errors propagate."""
        count = 0
        for row in await ledger.unreported(self.pool):
            await self._publish(_delivery_report(row), "reported", row["correlation_id"])
            await ledger.mark_reported(self.pool, [row["delivery_id"]])
            count += 1
        for fired in await timers.unreported(self.pool):
            report = TierEscalated(
                report_id=fired.report_id,
                plan_id=PlanId(fired.plan_id),
                at=fired.fired_at,
                activation_id=ActivationId(fired.activation_id),
                tier=fired.tier + 1,
            )
            await self._publish(report, "escalated")
            await timers.mark_reported(self.pool, [fired.report_id])
            count += 1
        return count

    async def _publish(
        self, report: NotifierReport, kind: str, correlation_id: UUID | None = None
    ) -> None:
        headers = {HEADER_MSG_ID: str(report.report_id)}
        if correlation_id is not None:  # the planner records the report under this id
            headers[HEADER_CORRELATION_ID] = str(correlation_id)
        await self.js.publish(
            delivery_subject(subject_key(report), kind),
            msgspec.json.encode(report),
            headers=headers,
        )


def _delivery_report(row: asyncpg.Record) -> DeliveryReported:
    return DeliveryReported(
        report_id=row["delivery_id"],
        plan_id=row["plan_id"],
        at=row["finished_at"],
        delivery_id=row["delivery_id"],
        activation_id=row["activation_id"],
        recipient_id=row["recipient_id"],
        channel=ChannelKind(row["channel_kind"]),
        tier=row["tier"],
        message=MessageKind(row["message"]),
        status=DeliveryStatus(row["status"]),
        reason=row["reason"],
        attempts=max(row["attempts"], 1),
    )
