"""`tandem db url` and `tandem migrate` (the planner's and the notifier's migrations)."""

import asyncio
from pathlib import Path

import asyncpg
import pytest
from typer.testing import CliRunner

from notifier.ledger import migrations as notifier_migrations
from planner.cli import app
from tests.integration.admin.support import run_cli

pytestmark = pytest.mark.integration

NOTIFIER_MIGRATIONS = list(notifier_migrations.discover(notifier_migrations.default_directory()))


def test_db_url_prints_the_configured_url_and_nothing_else(db_url: str) -> None:
    code, out, err = run_cli(db_url, "db", "url")
    assert code == 0
    assert out == db_url + "\n"
    assert err == ""


def test_db_url_without_a_running_embedded_server_exits_2_and_starts_nothing(
    tmp_path: Path,
) -> None:
    env = {"TANDEM_HOME": str(tmp_path), "TANDEM_DATABASE_URL": ""}
    result = CliRunner().invoke(app, ["db", "url"], env=env)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "not running" in result.stderr
    assert not (tmp_path / "postgres").exists()


async def test_migrate_applies_the_notifiers_migrations_too_then_nothing(db_url: str) -> None:
    code, _, err = await asyncio.to_thread(run_cli, db_url, "migrate")
    assert code == 0, err
    assert "planner: applied 0 migration(s)" in err
    assert "notifier: applied" in err
    assert "0001_ledger.sql" in err
    conn = await asyncpg.connect(db_url)
    try:
        applied = await conn.fetchval("SELECT count(*) FROM notifier.schema_migrations")
    finally:
        await conn.close()
    assert applied == len(NOTIFIER_MIGRATIONS)

    code, _, err = await asyncio.to_thread(run_cli, db_url, "migrate")
    assert code == 0, err
    assert "planner: applied 0 migration(s)" in err
    assert "notifier: applied 0 migration(s)" in err


def test_migrate_against_an_unreachable_database_exits_2() -> None:
    code, _, err = run_cli("postgresql://nobody@127.0.0.1:1/none", "migrate")
    assert code == 2
    assert "planner migrations failed" in err
