"""Telling the planner what happened: finished deliveries and escalations, over NATS.

Reports are published from the ledger (not at the moment of sending), with the report id
as ``Nats-Msg-Id``, so a NATS outage delays them and a retry never doubles them; the
planner stores each report once under that same id. While the connection is down a drain
fails at once: a publish would wait out its whole timeout, and the timers behind it with it.
"""

import asyncio
from collections.abc import Awaitable, Callable
from uuid import UUID

import asyncpg
import msgspec
import nats.errors
from nats.aio.client import Client

from contracts.delivery import DeliveryReported, NotifierReport, TierEscalated, subject_key
from contracts.ids import ActivationId, PlanId
from contracts.subjects import HEADER_CORRELATION_ID, HEADER_MSG_ID, delivery_subject
from contracts.vocabulary import ChannelKind, DeliveryStatus, MessageKind
from notifier.ledger import reports
from notifier.ledger.reports import FiredTimer

Outgoing = tuple[NotifierReport, str, UUID | None]  # a report, its subject's kind, correlation
Mark = Callable[[asyncpg.Pool, list[UUID]], Awaitable[None]]  # records reports as sent


class Reporter:
    def __init__(self, pool: asyncpg.Pool, nc: Client) -> None:
        self.pool = pool
        self.nc = nc
        self.js = nc.jetstream()

    async def drain(self) -> int:
        """Publish every unreported outcome; return how many. NATS errors propagate.

        Reports go out side by side, each awaiting its own ack (they are independent: the
        planner stores each once under its id), and the acked ones are marked in one
        statement, so a burst of outcomes does not keep the worker from sending.
        """
        if not self.nc.is_connected:
            raise nats.errors.ConnectionReconnectingError
        rows = await reports.unreported_deliveries(self.pool)
        deliveries: list[Outgoing] = [
            (_delivery_report(r), "reported", r["correlation_id"]) for r in rows
        ]
        count = await self._report(deliveries, reports.mark_deliveries_reported)
        fired = await reports.unreported_escalations(self.pool)
        escalations: list[Outgoing] = [(_escalation_report(f), "escalated", None) for f in fired]
        return count + await self._report(escalations, reports.mark_escalations_reported)

    async def _report(self, outgoing: list[Outgoing], mark: Mark) -> int:
        """Publish side by side, mark the acked ones, then raise the first failure."""
        outcomes = await asyncio.gather(
            *(self._publish(report, kind, correlation) for report, kind, correlation in outgoing),
            return_exceptions=True,
        )
        acked = [
            report.report_id
            for (report, _, _), outcome in zip(outgoing, outcomes, strict=True)
            if not isinstance(outcome, BaseException)  # a cancelled publish is tried again
        ]
        if acked:
            await mark(self.pool, acked)
        failure = next((o for o in outcomes if isinstance(o, Exception)), None)
        if failure is not None:
            raise failure
        return len(acked)

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
        report_id=row["report_id"],
        plan_id=row["plan_id"],
        at=row["at"],
        delivery_id=row["delivery_id"],
        activation_id=row["activation_id"],
        recipient_id=row["recipient_id"],
        channel=ChannelKind(row["channel_kind"]),
        tier=row["tier"],
        message=MessageKind(row["message"]),
        status=DeliveryStatus(row["status"]),
        reason=row["reason"],
        attempts=max(row["attempts"], 1),
        about=row["about"],
        request_id=row["request_id"],
    )


def _escalation_report(fired: FiredTimer) -> TierEscalated:
    """The timer of ``fired.tier`` fired unanswered: the next tier is being alerted."""
    return TierEscalated(
        report_id=fired.report_id,
        plan_id=PlanId(fired.plan_id),
        at=fired.fired_at,
        activation_id=ActivationId(fired.activation_id),
        tier=fired.tier + 1,
    )
