"""`tandem events export` / `import`: a backup that round-trips byte for byte and verifies."""

import asyncio
from pathlib import Path
from typing import Any

import asyncpg
import msgspec
import pytest
from litestar.testing import AsyncTestClient
from typer.testing import CliRunner

from planner.cli import app
from planner.settings import Settings
from tests.integration.api.test_schema_evolution import store_version_1_sign
from tests.support.api import Couple, activate, add_support, couple

pytestmark = pytest.mark.integration


def tandem(db_url: str, secret: bytes, *args: str) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(
        app, list(args), env={"TANDEM_DATABASE_URL": db_url, "TANDEM_SECRET_KEY": secret.decode()}
    )
    return result.exit_code, result.stdout_bytes, result.stderr


async def a_lived_in_plan(client: AsyncTestClient[Any]) -> Couple:
    """A plan with partners, a sign, a consented support and an activation resolved."""
    plan = await couple(client)
    signed = await client.post(
        f"/v1/plans/{plan.plan_id}/warning-signs",
        json={"category": "sleep", "description": "Up past 3am", "level": "setback"},
        headers=plan.first.auth,
    )
    assert signed.status_code == 201
    await add_support(client, plan)
    activation = await activate(client, plan, "crisis")
    resolved = await client.post(
        f"/v1/plans/{plan.plan_id}/activations/{activation['activation_id']}/resolve",
        json={"outcome": "false_alarm"},
        headers=plan.first.auth,
    )
    assert resolved.status_code == 200
    return plan


async def test_export_import_export_gives_the_same_bytes_and_the_copy_verifies(
    client: AsyncTestClient[Any],
    settings: Settings,
    db_url: str,
    other_db_url: str,
    tmp_path: Path,
) -> None:
    plans = [await a_lived_in_plan(client), await a_lived_in_plan(client)]
    secret = settings.secret_key

    code, exported, err = await asyncio.to_thread(tandem, db_url, secret, "events", "export")
    assert code == 0, err
    assert len(exported.splitlines()) > 10
    backup = tmp_path / "backup.ndjson"
    backup.write_bytes(exported)

    code, _, err = await asyncio.to_thread(
        tandem, other_db_url, secret, "events", "import", str(backup)
    )
    assert code == 0, err
    code, again, err = await asyncio.to_thread(tandem, other_db_url, secret, "events", "export")
    assert code == 0, err
    assert again == exported  # byte for byte

    code, report, err = await asyncio.to_thread(
        tandem, other_db_url, secret, "events", "verify", "--json"
    )
    assert code == 0, err
    assert msgspec.json.decode(report)["problems"] == []

    restored = await asyncpg.connect(other_db_url)
    try:
        members = await restored.fetchval("SELECT count(*) FROM plan_members")
        pending = await restored.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        next_position = await restored.fetchval(
            "SELECT nextval(pg_get_serial_sequence('events', 'position'))"
        )
    finally:
        await restored.close()
    assert members == 2 * len(plans)  # the read models commands rely on are back
    assert pending == 0  # a restore pages nobody again
    assert next_position == len(exported.splitlines()) + 1  # appends continue after the copy


async def test_export_keeps_the_stored_shape_and_upcast_shows_the_current_one(
    client: AsyncTestClient[Any], settings: Settings, db_url: str
) -> None:
    plan = await couple(client)
    _, position = await store_version_1_sign(db_url, plan.plan_id, plan.first.participant_id)

    def line_at(exported: bytes) -> dict[str, Any]:
        lines = [msgspec.json.decode(line) for line in exported.splitlines()]
        [line] = [entry for entry in lines if entry["position"] == position]
        return line

    _, stored, _ = await asyncio.to_thread(tandem, db_url, settings.secret_key, "events", "export")
    _, upcast, _ = await asyncio.to_thread(
        tandem, db_url, settings.secret_key, "events", "export", "--upcast"
    )
    assert line_at(stored)["schema_version"] == 1
    assert "level" not in line_at(stored)["payload"]
    assert line_at(upcast)["schema_version"] == 2
    assert line_at(upcast)["payload"]["level"] == "watch"


async def test_a_plan_or_a_range_of_positions_can_be_exported_alone(
    client: AsyncTestClient[Any], settings: Settings, db_url: str
) -> None:
    first, _ = await couple(client), await couple(client)
    secret = settings.secret_key
    _, one_plan, _ = await asyncio.to_thread(
        tandem, db_url, secret, "events", "export", "--plan", first.plan_id
    )
    assert {msgspec.json.decode(line)["stream_id"] for line in one_plan.splitlines()} == {
        first.plan_id
    }
    _, middle, _ = await asyncio.to_thread(
        tandem, db_url, secret, "events", "export", "--from-position", "2", "--to-position", "4"
    )
    assert [msgspec.json.decode(line)["position"] for line in middle.splitlines()] == [2, 3, 4]


async def test_import_into_a_store_that_holds_events_writes_nothing(
    client: AsyncTestClient[Any], settings: Settings, db_url: str, tmp_path: Path
) -> None:
    await couple(client)
    _, exported, _ = await asyncio.to_thread(
        tandem, db_url, settings.secret_key, "events", "export"
    )
    (tmp_path / "backup.ndjson").write_bytes(exported)
    code, _, err = await asyncio.to_thread(
        tandem, db_url, settings.secret_key, "events", "import", str(tmp_path / "backup.ndjson")
    )
    assert code == 1
    assert "already holds events" in err


async def test_a_bad_line_is_named_and_nothing_is_imported(
    client: AsyncTestClient[Any], settings: Settings, db_url: str, other_db_url: str, tmp_path: Path
) -> None:
    await couple(client)
    _, exported, _ = await asyncio.to_thread(
        tandem, db_url, settings.secret_key, "events", "export"
    )
    lines = exported.splitlines(keepends=True)
    broken = tmp_path / "broken.ndjson"
    broken.write_bytes(b"".join([*lines[:2], b'{"position": "three"}\n', *lines[2:]]))

    code, _, err = await asyncio.to_thread(
        tandem, other_db_url, settings.secret_key, "events", "import", str(broken)
    )
    assert code == 1
    assert "line 3" in err
    restored = await asyncpg.connect(other_db_url)
    try:
        assert await restored.fetchval("SELECT count(*) FROM events") == 0
    finally:
        await restored.close()
