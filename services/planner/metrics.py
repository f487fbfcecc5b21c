"""The planner's Prometheus metrics (served at ``/metrics`` with Litestar's HTTP metrics).

Labels are low-cardinality on purpose: event types, outcomes and kinds, never a plan,
participant or activation id. docs/observability.md says what each one means.
"""

from collections.abc import Iterable
from datetime import UTC, datetime

from prometheus_client import Counter, Gauge, Histogram

from contracts import events as catalogue
from contracts.events import PlanEvent

# Seconds from an event's commit to JetStream's ack: milliseconds normally, minutes in an outage.
LAG_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900)

EVENTS_APPENDED = Counter(
    "tandem_events_appended",
    "Events appended to the event store (committed), by event type.",
    ["event_type"],
)
VERSION_CONFLICTS = Counter(
    "tandem_version_conflicts",
    "Appends refused because the plan's stream moved on: retried, answered 412 "
    "(If-Match), or given up after every retry (409).",
    ["outcome"],
)
RELAY_PUBLISHED = Counter(
    "tandem_relay_published",
    "Events the relay published and JetStream acked (duplicate: JetStream had it already).",
    ["duplicate"],
)
RELAY_LAG = Histogram(
    "tandem_relay_lag_seconds",
    "Seconds from an event being recorded to JetStream acking its publication.",
    buckets=LAG_BUCKETS,
)
OUTBOX_DEPTH = Gauge(
    "tandem_outbox_depth",
    "Events recorded but not yet published by the relay (refreshed at each scrape).",
)
DELIVERY_REPORTS = Counter(
    "tandem_delivery_reports",
    "The notifier's reports (deliveries, escalations) taken by the planner, by outcome: "
    "recorded on the plan, retried later, or dead-lettered.",
    ["kind", "outcome"],
)


def appended(events: Iterable[PlanEvent]) -> None:
    for event in events:
        EVENTS_APPENDED.labels(event_type=catalogue.event_type(event)).inc()


def published(recorded_at: datetime, *, duplicate: bool) -> None:
    RELAY_PUBLISHED.labels(duplicate=str(duplicate).lower()).inc()
    RELAY_LAG.observe(max(0.0, (datetime.now(UTC) - recorded_at).total_seconds()))
