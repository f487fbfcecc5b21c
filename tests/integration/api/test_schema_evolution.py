"""An event stored in an older shape is read in the current one, everywhere it is read.

The store keeps the old bytes (it is append-only, and its hash chain covers them); the API
and the history reads see the event upcast to its current version.
"""

from typing import Any
from uuid import UUID

import asyncpg
import msgspec
import pytest
from litestar.testing import AsyncTestClient
from uuid_utils.compat import uuid7

from planner.store.event_store import read_all, read_stream
from tests.support.api import couple

pytestmark = pytest.mark.integration

STORE_RAW = """
INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version, payload,
    metadata)
SELECT $1, max(stream_version) + 1, $2, 'plan.warning_sign_added', 1, $3::jsonb, $4::jsonb
FROM events WHERE stream_id = $1
RETURNING position
"""


async def store_version_1_sign(db_url: str, plan_id: str, owner_id: str) -> tuple[UUID, int]:
    """A warning sign exactly as release 1 stored it: no ``level``, schema version 1."""
    sign_id = uuid7()
    payload = {
        "type": "plan.warning_sign_added",
        "sign_id": str(sign_id),
        "owner_id": owner_id,
        "category": "sleep",
        "description": "Up past 3am",
    }
    metadata = {"actor": f"participant:{owner_id}", "correlation_id": str(uuid7())}
    conn = await asyncpg.connect(db_url)
    try:
        position: int = await conn.fetchval(
            STORE_RAW,
            UUID(plan_id),
            uuid7(),
            msgspec.json.encode(payload).decode(),
            msgspec.json.encode(metadata).decode(),
        )
        stored = await conn.fetchval(
            "SELECT payload::text FROM events WHERE position = $1", position
        )
    finally:
        await conn.close()
    assert "level" not in msgspec.json.decode(stored)  # the old shape, kept as stored
    return sign_id, position


async def test_a_version_1_warning_sign_reads_as_version_2_through_the_api_and_history(
    client: AsyncTestClient[Any], db_url: str, db_pool: asyncpg.Pool
) -> None:
    plan = await couple(client)
    sign_id, position = await store_version_1_sign(db_url, plan.plan_id, plan.first.participant_id)

    view = (await client.get(f"/v1/plans/{plan.plan_id}", headers=plan.first.auth)).json()
    [sign] = view["warning_signs"]
    assert sign["sign_id"] == str(sign_id)
    assert sign["level"] == "watch"

    history = await client.get(f"/v1/plans/{plan.plan_id}/events", headers=plan.first.auth)
    [entry] = [e for e in history.json()["events"] if e["type"] == "plan.warning_sign_added"]
    assert entry["schema_version"] == 2
    assert entry["data"]["level"] == "watch"

    # What replay reads (every stream by position) and what commands load (one stream).
    [replayed] = [e for e in await read_all(db_pool) if e.position == position]
    [loaded] = [e for e in await read_stream(db_pool, UUID(plan.plan_id)) if e.position == position]
    assert replayed.event == loaded.event
    assert getattr(replayed.event, "level", None) == "watch"

    # A command on the plan still works: the old event folds into the state like a new one.
    answer = await client.post(
        f"/v1/plans/{plan.plan_id}/warning-signs",
        json={"category": "mood", "description": "Irritable", "level": "setback"},
        headers=plan.first.auth,
    )
    assert answer.status_code == 201, answer.text
    view = (await client.get(f"/v1/plans/{plan.plan_id}", headers=plan.first.auth)).json()
    assert sorted(s["level"] for s in view["warning_signs"]) == ["setback", "watch"]
