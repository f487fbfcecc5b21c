"""The notifier's schema migrations: ``infra/migrations/notifier/NNNN_name.sql``.

Same rules as the planner's (each file once, in its own transaction, under an advisory
lock so two processes can migrate at once), in the notifier's own ``notifier`` schema.
"""

import re
from pathlib import Path

import asyncpg

import notifier

LOCK_KEY = 7_346_201_857_114_551_002  # not the planner's key: the two may migrate at once
FILE_NAME = re.compile(r"^(?P<version>\d{4})_[a-z0-9_]+\.sql$")

LOCK = "SELECT pg_advisory_xact_lock($1)"
SETUP = """
CREATE SCHEMA IF NOT EXISTS notifier;
CREATE TABLE IF NOT EXISTS notifier.schema_migrations (
    version    int PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""
IS_APPLIED = "SELECT EXISTS (SELECT 1 FROM notifier.schema_migrations WHERE version = $1)"
RECORD = "INSERT INTO notifier.schema_migrations (version, name) VALUES ($1, $2)"


def default_directory() -> Path:
    packaged = Path(notifier.__file__).parent / "migrations"
    if packaged.is_dir():
        return packaged
    # services/notifier/migrations.py -> parents[2] is the repository root.
    return Path(__file__).resolve().parents[2] / "infra" / "migrations" / "notifier"


def discover(directory: Path) -> list[tuple[int, Path]]:
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = FILE_NAME.match(path.name)
        if match is None:
            raise ValueError(f"migration file {path.name!r} is not named NNNN_name.sql")
        found.append((int(match["version"]), path))
    return found


async def migrate(
    conn: asyncpg.Connection | asyncpg.pool.PoolConnectionProxy, directory: Path | None = None
) -> list[str]:
    """Apply the notifier's migrations not yet recorded; return the file names applied."""
    async with conn.transaction():
        await conn.execute(LOCK, LOCK_KEY)
        await conn.execute(SETUP)
    applied = []
    for version, path in discover(directory or default_directory()):
        async with conn.transaction():
            await conn.execute(LOCK, LOCK_KEY)
            if await conn.fetchval(IS_APPLIED, version):
                continue
            await conn.execute(path.read_text(encoding="utf-8"))
            await conn.execute(RECORD, version, path.name)
        applied.append(path.name)
    return applied
