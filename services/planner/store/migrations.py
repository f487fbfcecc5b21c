"""Schema migrations: numbered SQL files, applied once each, in order.

A migration is a file ``NNNN_name.sql`` (``0001_event_store.sql``). Each file runs in its
own transaction, so it must not contain BEGIN or COMMIT, and is recorded in
``schema_migrations`` in that same transaction: a file is either applied and recorded, or
neither. Every step takes one transaction-scoped advisory lock on a fixed key first, so
two processes migrating the same database at once queue up instead of both applying a
file; the second finds the file recorded and skips it.
"""

import re
from pathlib import Path

import asyncpg
import msgspec

import planner
from planner.store.event_store import Connection

# Any fixed 64-bit number, the same in every process that migrates this database.
MIGRATION_LOCK_KEY = 7_346_201_857_114_551_001

FILE_NAME = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")

LOCK = "SELECT pg_advisory_xact_lock($1)"

CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    int PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""

IS_APPLIED = "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)"

RECORD = "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)"


class MigrationError(Exception):
    """A migration file failed; nothing of it was applied or recorded."""

    def __init__(self, file_name: str, reason: str) -> None:
        self.file_name = file_name
        super().__init__(f"migration {file_name} failed: {reason}")


class Migration(msgspec.Struct, frozen=True, kw_only=True):
    version: int
    file_name: str
    path: Path


def default_directory() -> Path:
    """The SQL files: inside the package in a wheel, else the repository's infra/."""
    packaged = Path(planner.__file__).parent / "migrations"
    if packaged.is_dir():
        return packaged
    # services/planner/store/migrations.py -> parents[3] is the repository root.
    return Path(__file__).resolve().parents[3] / "infra" / "migrations"


def discover(directory: Path) -> list[Migration]:
    """Every ``NNNN_name.sql`` file in ``directory``, ordered by version."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = FILE_NAME.match(path.name)
        if match is None:
            msg = f"migration file {path.name!r} is not named NNNN_name.sql"
            raise ValueError(msg)
        version = int(match["version"])
        if version in found:
            msg = f"two migrations share version {version}: {found[version].file_name}, {path.name}"
            raise ValueError(msg)
        found[version] = Migration(version=version, file_name=path.name, path=path)
    return [found[version] for version in sorted(found)]


async def migrate(conn: Connection, directory: Path | None = None) -> list[str]:
    """Apply the migrations not yet recorded; return the file names applied, in order.

    Safe to run again (nothing is applied twice) and from several processes at once.
    """
    migrations = discover(directory or default_directory())
    if not migrations:
        msg = f"no migrations found in {directory or default_directory()}"
        raise FileNotFoundError(msg)
    async with conn.transaction():
        await conn.execute(LOCK, MIGRATION_LOCK_KEY)
        await conn.execute(CREATE_TABLE)
    applied: list[str] = []
    for migration in migrations:
        if await _apply(conn, migration):
            applied.append(migration.file_name)
    return applied


async def _apply(conn: Connection, migration: Migration) -> bool:
    """Apply one migration unless it is recorded; the check runs under the lock."""
    sql = migration.path.read_text(encoding="utf-8")
    async with conn.transaction():
        await conn.execute(LOCK, MIGRATION_LOCK_KEY)
        if await conn.fetchval(IS_APPLIED, migration.version):
            return False
        # No arguments: asyncpg sends the file with the simple query protocol, which
        # runs several statements in one go.
        try:
            await conn.execute(sql)
        except asyncpg.PostgresError as error:
            raise MigrationError(migration.file_name, str(error)) from error
        await conn.execute(RECORD, migration.version, migration.file_name)
    return True
