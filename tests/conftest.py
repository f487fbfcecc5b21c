"""Servers for the tests: PostgreSQL and nats-server, embedded unless named by env vars.

``TANDEM_TEST_DATABASE_URL`` / ``TANDEM_TEST_NATS_URL`` point the tests at existing servers
(the database URL needs the right to create databases). Otherwise each server is started
once per session in a temporary folder, on a unix socket or a free port, and stopped and
deleted at the end; NATS only if a test asks for it.

Isolation: every test that wants a database gets a fresh one, cloned from a template that
was migrated once per session, and dropped after the test.
"""

import asyncio
import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from common import logs
from planner.runtime.embedded.nats_server import EmbeddedNats
from planner.runtime.embedded.postgres import EmbeddedPostgres, with_database
from planner.store.migrations import migrate
from tests.support.database import fresh_database

POOL_CLOSE_TIMEOUT_SECONDS = 10.0

# Cloning a database is file work: on a RAM disk it takes a tenth of the time it takes on
# a disk, so the embedded test server lives there when the machine has one. The folder
# itself is made by mkdtemp (private, unpredictable name).
RAM_DISK = Path("/dev/shm")  # noqa: S108

# Durability is pointless for a throw-away test server; these make it several times faster.
# All three take effect on a configuration reload, no restart needed.
TEST_SERVER_SETTINGS = (
    "ALTER SYSTEM SET fsync = off",
    "ALTER SYSTEM SET synchronous_commit = off",
    "ALTER SYSTEM SET full_page_writes = off",
)


def _scratch_folder(prefix: str) -> Path:
    """A new private temporary folder, on the RAM disk when there is one."""
    ram_disk = RAM_DISK if RAM_DISK.is_dir() and os.access(RAM_DISK, os.W_OK) else None
    return Path(tempfile.mkdtemp(prefix=prefix, dir=ram_disk))


def pytest_configure(config: pytest.Config) -> None:
    # As in the services, structlog's events become log records: caplog sees them.
    logs.through_stdlib()


@pytest.fixture(scope="session")
async def database_url() -> AsyncIterator[str]:
    """A PostgreSQL server's admin DSN: the named one, or an embedded one for this session."""
    external = os.environ.get("TANDEM_TEST_DATABASE_URL")
    if external:
        yield external
        return
    folder = _scratch_folder("tandem-test-postgres-")
    server = EmbeddedPostgres(folder / "pgdata")
    try:
        dsn = await asyncio.to_thread(server.start)
        conn = await asyncpg.connect(dsn)
        try:
            for statement in TEST_SERVER_SETTINGS:
                await conn.execute(statement)
            await conn.execute("SELECT pg_reload_conf()")
        finally:
            await conn.close()
        yield dsn
    finally:
        await asyncio.to_thread(server.stop)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
async def template_database(database_url: str) -> AsyncIterator[str]:
    """The name of a database migrated once per session, to clone for each test."""
    name = f"tandem_template_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(database_url)
    try:
        # Identifiers cannot be parameters; the names here are made by this module.
        await admin.execute(f'CREATE DATABASE "{name}"')
        conn = await asyncpg.connect(with_database(database_url, name))
        try:
            await migrate(conn)
        finally:
            await conn.close()  # a template must have no sessions while it is cloned
        yield name
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
async def db_url(database_url: str, template_database: str) -> AsyncIterator[str]:
    """The DSN of a fresh, migrated database for this test only (dropped afterwards)."""
    async with fresh_database(database_url, template_database) as url:
        yield url


@pytest.fixture
async def other_db_url(database_url: str, template_database: str) -> AsyncIterator[str]:
    """A second fresh, migrated database, for tests that move data between two stores."""
    async with fresh_database(database_url, template_database) as url:
        yield url


@pytest.fixture
async def other_pool(other_db_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A small pool on the second database (a restore, or a store elsewhere)."""
    pool = await asyncpg.create_pool(other_db_url, min_size=1, max_size=2)
    try:
        yield pool
    finally:
        await pool.close()


@pytest.fixture
async def db_pool(db_url: str) -> AsyncIterator[asyncpg.Pool]:
    """An asyncpg pool on this test's database, roomy enough for concurrency tests."""
    pool = await asyncpg.create_pool(db_url, min_size=1, max_size=25)
    try:
        yield pool
    finally:
        try:
            await asyncio.wait_for(pool.close(), POOL_CLOSE_TIMEOUT_SECONDS)
        except TimeoutError:
            pool.terminate()  # a test kept a connection: don't hang the session on it


@pytest.fixture(scope="session")
def nats_url() -> Iterator[str]:
    """A JetStream-enabled NATS URL: the named server, or an embedded one on a free port."""
    external = os.environ.get("TANDEM_TEST_NATS_URL")
    if external:
        yield external
        return
    folder = _scratch_folder("tandem-test-nats-")
    server = EmbeddedNats(folder)
    try:
        yield server.start()
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
