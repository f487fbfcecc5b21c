"""The notifier's Prometheus metrics, served at ``/metrics`` by its status server.

Labels are low-cardinality on purpose: channels, message kinds, outcomes, never a plan,
recipient or activation id. docs/observability.md says what each one means.
"""

from prometheus_client import Counter, Gauge, Histogram

# Seconds from a partner activating the plan to the first alert of it being sent.
FIRST_DELIVERY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900)

DELIVERIES = Counter(
    "tandem_notifier_deliveries",
    "Rounds of sending, by channel, message kind and outcome: sent, failed (for good),"
    " retried (failed for now: the ledger tries it again later) or skipped.",
    ["channel", "message", "outcome"],
)
ESCALATIONS = Counter(
    "tandem_notifier_escalations",
    "Escalation timers that fired unanswered: the next tier alerted, or nobody left to ask.",
    ["kind"],
)
DEAD_LETTERS = Counter(
    "tandem_notifier_dead_letters",
    "Plan events the notifier dead-lettered (published to tandem.dlq.…, then terminated).",
)
REDELIVERIES = Counter(
    "tandem_notifier_redeliveries",
    "Plan events this notifier received again (a nak, an ack timeout, a crash before the ack).",
)
CONSUMER_PENDING = Gauge(
    "tandem_notifier_consumer_pending",
    "Plan events in the stream not yet delivered to the durable consumer (at each scrape).",
)
CONSUMER_ACK_PENDING = Gauge(
    "tandem_notifier_consumer_ack_pending",
    "Plan events delivered to the notifier and not yet acknowledged (at each scrape).",
)
CONSUMER_REDELIVERED = Gauge(
    "tandem_notifier_consumer_redelivered",
    "Plan events redelivered and not yet acknowledged, as the server counts them.",
)
ACTIVATION_TO_FIRST_DELIVERY = Histogram(
    "tandem_activation_to_first_delivery_seconds",
    "Seconds from an activation (the partner's request) to its first alert sent, once each.",
    buckets=FIRST_DELIVERY_BUCKETS,
)
