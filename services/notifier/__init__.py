"""Tandem notifier: alerts, delivery ledger and escalation (built in the notifier issue)."""
