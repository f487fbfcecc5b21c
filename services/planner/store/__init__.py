"""The planner's PostgreSQL adapters: event store, read models, backups and migrations.

They speak asyncpg and turn its errors into their own at this boundary.
"""
