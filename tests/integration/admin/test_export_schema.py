"""Every line `tandem events export` writes matches contracts/schema/export_line.json."""

import asyncio
from pathlib import Path
from typing import Any

import jsonschema_rs
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from contracts import schema
from contracts.export import DECODER, encode_line
from planner.settings import Settings
from tests.integration.admin.test_events_backup import a_lived_in_plan, tandem
from tests.integration.api.test_schema_evolution import store_version_1_sign

pytestmark = pytest.mark.integration

COMMITTED = schema.SCHEMA_DIR / "export_line.json"


def _validator() -> Any:
    committed = msgspec.json.decode(COMMITTED.read_bytes())
    return jsonschema_rs.validator_for(committed, validate_formats=True)


async def test_every_exported_line_validates_against_the_committed_schema(
    client: AsyncTestClient[Any], settings: Settings, db_url: str
) -> None:
    plan = await a_lived_in_plan(client)
    await store_version_1_sign(db_url, plan.plan_id, plan.first.participant_id)
    validator = _validator()
    for flags in ((), ("--upcast",)):
        code, exported, err = await asyncio.to_thread(
            tandem, db_url, settings.secret_key, "events", "export", *flags
        )
        assert code == 0, err
        lines = exported.splitlines(keepends=True)
        assert len(lines) >= 10
        for line in lines:
            errors = [e.message for e in validator.iter_errors(msgspec.json.decode(line))]
            assert errors == [], line
            assert encode_line(DECODER.decode(line)) == line  # import reads this very shape


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("hash", "not-a-digest"),
        ("recorded_at", "2026-12-03T08:00:00"),  # no time zone
        ("position", 0),
        ("payload", []),
    ],
)
async def test_a_line_the_schema_refuses_is_refused_by_import(
    client: AsyncTestClient[Any],
    settings: Settings,
    db_url: str,
    other_db_url: str,
    tmp_path: Path,
    field: str,
    value: object,
) -> None:
    await a_lived_in_plan(client)
    _, exported, _ = await asyncio.to_thread(
        tandem, db_url, settings.secret_key, "events", "export"
    )
    first, *rest = exported.splitlines(keepends=True)
    broken = {**msgspec.json.decode(first), field: value}
    assert not _validator().is_valid(broken)
    (tmp_path / "broken.ndjson").write_bytes(msgspec.json.encode(broken) + b"\n" + b"".join(rest))

    code, _, err = await asyncio.to_thread(
        tandem,
        other_db_url,
        settings.secret_key,
        "events",
        "import",
        str(tmp_path / "broken.ndjson"),
    )

    assert code == 1
    assert "line 1" in err
