"""What the notifier reports back, on ``tandem.delivery.<activation_id>.<kind>``.

The planner records each report on the activation's delivery stream (a consent request's:
the contact's; see ``contracts.delivery_events``), never on the plan's, using ``report_id``
as the event id, so a report delivered twice is recorded once.
"""

from datetime import datetime
from uuid import UUID

import msgspec

from contracts.ids import ActivationId, PlanId, RecipientId
from contracts.vocabulary import ChannelKind, DeliveryStatus, MessageKind


class Report(msgspec.Struct, frozen=True, kw_only=True, tag_field="type"):
    report_id: UUID
    plan_id: PlanId
    at: datetime


class DeliveryReported(Report, frozen=True, kw_only=True, tag="delivery.reported"):
    delivery_id: UUID
    activation_id: ActivationId | None
    recipient_id: RecipientId
    channel: ChannelKind
    tier: int
    message: MessageKind
    status: DeliveryStatus
    reason: str | None = None
    attempts: int = 1
    # Whom a note names besides its recipient (who could not be reached; the contact a
    # note to partners is about), and the request a message belongs to (a consent
    # request's id; the event that asked a partner). None: a report of an older notifier.
    about: UUID | None = None
    request_id: UUID | None = None


class TierEscalated(Report, frozen=True, kw_only=True, tag="delivery.escalated"):
    activation_id: ActivationId
    tier: int


NotifierReport = DeliveryReported | TierEscalated

report_decoder: msgspec.json.Decoder[NotifierReport] = msgspec.json.Decoder(NotifierReport)


def subject_key(report: NotifierReport) -> UUID:
    """The activation a report is about, or the plan for a consent request."""
    activation_id = report.activation_id
    return report.plan_id if activation_id is None else activation_id
