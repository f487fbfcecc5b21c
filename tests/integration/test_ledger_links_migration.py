"""Notifier migration 0005: links a ledger stored before are turned into slots (or dropped)."""

import shutil
from pathlib import Path

import asyncpg
import msgspec
import pytest
from uuid_utils.compat import uuid7

from notifier.ledger import leasing, migrations
from notifier.ledger.migrations import default_directory

pytestmark = pytest.mark.integration

ACK = "https://tandem.example/v1/acks/lZJhY2vEEAGiOrbX.g-Fuyhz9cU_BNZgxk59z5w"
CONSENT = "https://tandem.example/v1/consents/lZNjb25zZW50xBAB.AbCdEf_-123"
OLD_ROW = """
INSERT INTO notifier.deliveries (delivery_id, claim_key, plan_id, activation_id,
    recipient_id, recipient_name, channel_kind, address, tier, message, subject, body,
    payload, claimed_at)
VALUES ($1::uuid, $1::uuid::text, $1::uuid, $2::uuid, $1::uuid, 'Jo', 'webhook', 'https://hooks.example', 1, $3, 'Hi',
    $4, $5::jsonb, '2026-03-01T12:00:00Z')
"""


async def test_links_stored_before_become_slots_and_consent_links_are_dropped(
    db_pool: asyncpg.Pool, tmp_path: Path
) -> None:
    before = tmp_path / "before"
    before.mkdir()
    for path in default_directory().glob("000[1-3]_*.sql"):
        shutil.copy(path, before)
    async with db_pool.acquire() as conn:
        await migrations.migrate(conn, before)
        alert, request = uuid7(), uuid7()
        body = f"Tap to let Alex know:\n{ACK}"
        await conn.execute(OLD_ROW, alert, alert, "alert", body, f'{{"ack_url": "{ACK}"}}')
        payload = f'{{"consent_url": "{CONSENT}", "text": "Yes or no: {CONSENT}"}}'
        await conn.execute(OLD_ROW, request, None, "consent_request", CONSENT, payload)
        assert "0005_links_out_of_the_ledger.sql" in await migrations.migrate(conn)
        [*leased] = await leasing.lease(conn, 60)
    stored = {lease.delivery_id: lease for lease in leased}
    slot = "{{tandem-link:ack:1772971200}}"  # claimed_at + 7 days
    assert stored[alert].body == f"Tap to let Alex know:\n{slot}"
    assert stored[alert].payload == {"ack_url": slot}
    assert stored[request].body == ""
    assert stored[request].payload == {"consent_url": "", "text": "Yes or no: "}
    everything = msgspec.json.encode([msgspec.to_builtins(lease) for lease in leased]).decode()
    assert "/v1/acks/" not in everything
    assert "/v1/consents/" not in everything
