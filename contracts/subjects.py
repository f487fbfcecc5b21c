"""Every NATS subject and header name the services share."""

from uuid import UUID

PLAN_STREAM = "TANDEM_PLAN"
PLAN_SUBJECTS = "tandem.plan.>"
DELIVERY_STREAM = "TANDEM_DELIVERY"
DELIVERY_SUBJECTS = "tandem.delivery.>"

DLQ_STREAM = "TANDEM_DLQ"
DLQ_SUBJECTS = "tandem.dlq.>"
DLQ_HEADER_REASON = "Tandem-Dead-Letter-Reason"
DLQ_HEADER_RETRIED_FROM = "Tandem-Retried-From"  # on a retried event: the dead letter it was

HEADER_MSG_ID = "Nats-Msg-Id"
HEADER_EVENT_ID = "Tandem-Event-Id"
HEADER_EVENT_TYPE = "Tandem-Event-Type"
HEADER_SCHEMA_VERSION = "Tandem-Schema-Version"
HEADER_STREAM_VERSION = "Tandem-Stream-Version"
HEADER_CORRELATION_ID = "Tandem-Correlation-Id"
HEADER_RECORDED_AT = "Tandem-Recorded-At"  # RFC 3339, when the event store recorded it


def plan_subject(plan_id: UUID, event_type: str) -> str:
    """``tandem.plan.<plan_id>.<name>``; the ``plan.`` prefix of the tag is not repeated."""
    name = event_type.removeprefix("plan.")
    return f"tandem.plan.{plan_id}.{name}"


def plan_event_filter(event_type: str) -> str:
    """``tandem.plan.*.<name>``: one event type of every plan, as a consumer filter."""
    return "tandem.plan.*." + event_type.removeprefix("plan.")


def delivery_subject(activation_id: UUID, kind: str) -> str:
    return f"tandem.delivery.{activation_id}.{kind}"


def dead_letter_subject(original: str) -> str:
    """``tandem.dlq.<rest of the original subject>``: where a message that failed for good goes."""
    return "tandem.dlq." + original.removeprefix("tandem.")


def original_subject(dead_letter: str) -> str:
    """The subject a dead letter was first published on: the inverse of ``dead_letter_subject``."""
    return "tandem." + dead_letter.removeprefix("tandem.dlq.")
