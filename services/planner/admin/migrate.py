"""``tandem migrate``: the planner's migrations, then the notifier's (in its own process).

The notifier's schema belongs to the notifier: its migrations run as
``python -m notifier migrate`` with the same environment, never imported here.
"""

import asyncio
import subprocess

import asyncpg

from planner.admin import common
from planner.runtime import notifier_process
from planner.runtime.stack import database_only
from planner.store import migrations


def migrate() -> None:
    """Apply the planner's and the notifier's migrations (safe twice, or from two processes)."""
    settings = common.settings()
    with database_only(settings) as url:
        try:
            planner_applied = asyncio.run(_migrate_planner(url))
        except (OSError, asyncpg.PostgresError, migrations.MigrationError) as exc:
            common.fail(f"planner migrations failed: {exc}")
        _report("planner", planner_applied)
        notifier_applied = _migrate_notifier(_notifier_env(url))
        _report("notifier", notifier_applied)


async def _migrate_planner(url: str) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        return await migrations.migrate(conn)
    finally:
        await conn.close()


def _notifier_env(url: str) -> dict[str, str]:
    """This process's environment, with the database URL in use (embedded or configured)."""
    env = notifier_process.environment(common.settings(), dev_outbox=None)
    env["TANDEM_DATABASE_URL"] = url
    return env


def _migrate_notifier(env: dict[str, str]) -> list[str]:
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [*notifier_process.command(), "migrate"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        common.fail(f"notifier migrations failed: {done.stderr.strip()}")
    return done.stdout.split()


def _report(service: str, applied: list[str]) -> None:
    names = ", ".join(applied) or "none needed"
    common.console.print(f"{service}: applied {len(applied)} migration(s): {names}")
