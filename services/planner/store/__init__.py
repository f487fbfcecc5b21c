"""The planner's PostgreSQL adapters: event store, outbox, read models and migrations.

They speak asyncpg and turn its errors into their own at this boundary.
"""
