"""The notifier's schema migrations (``infra/migrations/notifier/NNNN_name.sql``) and their command.

Same rules as the planner's (each file once, in its own transaction, under an advisory
lock so two processes can migrate at once), in the notifier's own ``notifier`` schema.

The command needs only ``TANDEM_DATABASE_URL``. It prints each migration file applied, one
per line on standard output (nothing when the schema is current), so ``tandem migrate`` can
report it. Exit codes: 0 done, 2 no database URL, or the database or a migration failed.
"""

import asyncio
import os
import re
import sys
from pathlib import Path

import asyncpg

import notifier

LOCK_KEY = 7_346_201_857_114_551_002  # not the planner's key: the two may migrate at once
FILE_NAME = re.compile(r"^(?P<version>\d{4})_[a-z0-9_]+\.sql$")
EXIT_CANNOT_RUN = 2

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
    # The wheel ships the files as notifier/migrations (pyproject.toml's force-include).
    packaged = Path(notifier.__file__).parent / "migrations"
    if packaged.is_dir():
        return packaged
    # services/notifier/ledger/migrations.py -> parents[3] is the repository root.
    return Path(__file__).resolve().parents[3] / "infra" / "migrations" / "notifier"


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


def main() -> int:
    """``python -m notifier migrate``: apply the migrations, print each file applied."""
    url = os.environ.get("TANDEM_DATABASE_URL", "")
    if not url:
        sys.stderr.write("error: the notifier's migrations need TANDEM_DATABASE_URL\n")
        return EXIT_CANNOT_RUN
    try:
        applied = asyncio.run(_migrate(url))
    except (OSError, asyncpg.PostgresError) as exc:
        sys.stderr.write(f"error: notifier migrations failed: {exc}\n")
        return EXIT_CANNOT_RUN
    for name in applied:
        sys.stdout.write(f"{name}\n")
    return 0


async def _migrate(url: str) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        return await migrate(conn)
    finally:
        await conn.close()
