"""``python -m notifier migrate``: apply the notifier's schema migrations, then exit.

Needs only ``TANDEM_DATABASE_URL``. Prints each migration file applied, one per line on
standard output (nothing when the schema is current), so ``tandem migrate`` can report it.
Exit codes: 0 done, 2 no database URL, or the database or a migration failed.
"""

import asyncio
import os
import sys

import asyncpg

from notifier import migrations

EXIT_CANNOT_RUN = 2


async def _migrate(url: str) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        return await migrations.migrate(conn)
    finally:
        await conn.close()


def main() -> int:
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
