"""Migrations against a real PostgreSQL: each file once, in order, safe to run concurrently."""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from planner.store.migrations import MigrationError, default_directory, discover, migrate
from tests.support.database import fresh_database

pytestmark = pytest.mark.integration

REPOSITORY_MIGRATIONS = Path(__file__).resolve().parents[2] / "infra" / "migrations"


@pytest.fixture
async def empty_db_url(database_url: str) -> AsyncIterator[str]:
    """A database with no migrations applied, dropped after the test."""
    async with fresh_database(database_url, None, "tandem_empty") as url:
        yield url


async def migrate_once(url: str, directory: Path | None = None) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        return await migrate(conn, directory)
    finally:
        await conn.close()


async def recorded(url: str) -> list[tuple[int, str]]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT version, name FROM schema_migrations ORDER BY version")
    finally:
        await conn.close()
    return [(row["version"], row["name"]) for row in rows]


def test_the_default_directory_is_the_repository_infra_migrations() -> None:
    assert default_directory() == REPOSITORY_MIGRATIONS
    assert discover(default_directory())[0].file_name == "0001_event_store.sql"


async def test_running_migrate_twice_applies_nothing_the_second_time(empty_db_url: str) -> None:
    every_file = [migration.file_name for migration in discover(REPOSITORY_MIGRATIONS)]

    first = await migrate_once(empty_db_url)
    second = await migrate_once(empty_db_url)

    assert first == every_file
    assert second == []
    assert [name for _, name in await recorded(empty_db_url)] == every_file


async def test_two_concurrent_migrators_apply_each_file_once(empty_db_url: str) -> None:
    every_file = [migration.file_name for migration in discover(REPOSITORY_MIGRATIONS)]

    first, second = await asyncio.gather(migrate_once(empty_db_url), migrate_once(empty_db_url))

    assert sorted(first + second) == sorted(every_file)
    assert [name for _, name in await recorded(empty_db_url)] == every_file


async def test_a_new_numbered_file_is_picked_up_in_order(empty_db_url: str, tmp_path: Path) -> None:
    (tmp_path / "0002_notes.sql").write_text("ALTER TABLE things ADD COLUMN note text;")
    (tmp_path / "0001_things.sql").write_text("CREATE TABLE things (id int PRIMARY KEY);")
    assert await migrate_once(empty_db_url, tmp_path) == ["0001_things.sql", "0002_notes.sql"]

    (tmp_path / "0010_more.sql").write_text(
        "CREATE TABLE more (id int); INSERT INTO more VALUES (1), (2);"
    )

    assert await migrate_once(empty_db_url, tmp_path) == ["0010_more.sql"]
    assert [version for version, _ in await recorded(empty_db_url)] == [1, 2, 10]


async def test_a_failing_migration_leaves_no_trace(empty_db_url: str, tmp_path: Path) -> None:
    (tmp_path / "0001_half.sql").write_text("CREATE TABLE half (id int); SELECT 1/0;")

    with pytest.raises(MigrationError, match=r"0001_half\.sql") as failure:
        await migrate_once(empty_db_url, tmp_path)

    assert isinstance(failure.value.__cause__, asyncpg.DivisionByZeroError)
    assert await recorded(empty_db_url) == []
    conn = await asyncpg.connect(empty_db_url)
    try:
        assert await conn.fetchval("SELECT to_regclass('half')") is None
    finally:
        await conn.close()


@pytest.mark.parametrize("name", ["1_short.sql", "0001-dash.sql", "0001_Upper.sql"])
def test_a_badly_named_migration_file_is_refused(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("SELECT 1;")

    with pytest.raises(ValueError, match="NNNN_name"):
        discover(tmp_path)


def test_two_files_with_one_version_are_refused(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("SELECT 1;")
    (tmp_path / "0001_b.sql").write_text("SELECT 1;")

    with pytest.raises(ValueError, match="share version 1"):
        discover(tmp_path)
