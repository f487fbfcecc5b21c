"""Shared contracts between the planner and the notifier: events, envelope, subjects."""
