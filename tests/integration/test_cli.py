"""The `tandem` command against a real database (named by TANDEM_DATABASE_URL)."""

import asyncio
from pathlib import Path

import asyncpg
import pytest
from typer.testing import CliRunner

from contracts import schema
from planner.cli import app
from planner.store.accounts import operator_by_token

pytestmark = pytest.mark.integration


def run(db_url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"TANDEM_DATABASE_URL": db_url})
    return result.exit_code, result.stdout, result.stderr


async def test_operator_token_create_prints_a_token_only_its_hash_is_kept(
    db_url: str, db_pool: asyncpg.Pool
) -> None:
    # The command runs its own event loop, so it runs in a thread beside the test's.
    code, out, err = await asyncio.to_thread(
        run, db_url, "operator-token", "create", "--label", "on-call"
    )
    assert code == 0, err
    token = out.strip()
    assert token.startswith("tdm_o_")
    assert "shown only this once" in err
    operator = await operator_by_token(db_pool, token)
    assert operator is not None
    assert operator.label == "on-call"
    stored = await db_pool.fetchval("SELECT token_sha256 FROM operator_tokens")
    assert token not in stored


def test_migrate_on_a_migrated_database_applies_nothing(db_url: str) -> None:
    code, _, err = run(db_url, "migrate")
    assert code == 0
    assert "applied 0 migration(s)" in err


def test_schema_writes_what_is_committed(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["schema", "--directory", str(tmp_path)])
    assert result.exit_code == 0
    for name, content in schema.render().items():
        assert (tmp_path / name).read_bytes() == content


def test_a_bad_port_is_a_clear_error_not_a_traceback() -> None:
    result = CliRunner().invoke(app, ["migrate"], env={"TANDEM_PORT": "http"})
    assert result.exit_code == 2
    assert "TANDEM_PORT" in result.stderr
