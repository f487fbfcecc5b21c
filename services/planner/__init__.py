"""Tandem planner: HTTP API, plan aggregate, event store and outbox."""
