"""A plan from before partners chose and consents ended still replays, with a safe meaning.

Its support contacts were added as ``plan.support_contact_added`` without the adder's
choice, asked without a duration and consented without an end. Read today: the partner who
added a contact agreed (as they in effect had), the other partner was not asked (so their
activations reach nobody they never chose), and a consent lasts 12 months from when it was
given.
"""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
import pytest
from litestar.testing import AsyncTestClient
from uuid_utils.compat import uuid7

from planner.store.event_store import read_stream
from tests.support.api import Couple, activate, couple

pytestmark = pytest.mark.integration

STORE_RAW = """
INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version, payload,
    metadata)
SELECT $1, max(stream_version) + 1, $2, $3, 1, $4::jsonb, $5::jsonb
FROM events WHERE stream_id = $1
"""


async def store_as_before(db_url: str, plan: Couple, given_at: datetime) -> str:
    """A contact added by the first partner, asked and consenting, as an older release
    stored them: no adder's choice, no consent duration, no consent end."""
    contact_id, request_id = str(uuid7()), str(uuid7())
    channels = [{"kind": "email", "address": "jo@example.org"}]
    adder = plan.first.participant_id
    events = [
        {
            "type": "plan.support_contact_added",
            "contact_id": contact_id,
            "display_name": "Jo",
            "relationship": "sponsor",
            "channels": channels,
            "added_by": adder,
        },
        {
            "type": "plan.consent_requested",
            "contact_id": contact_id,
            "request_id": request_id,
            "expires_at": (given_at + timedelta(days=30)).isoformat(),
            "contact_name": "Jo",
            "channels": channels,
            "requested_by": adder,
        },
        {
            "type": "plan.consent_given",
            "contact_id": contact_id,
            "scope": {"levels": ["watch", "setback", "crisis"], "share_signs": True},
            "at": given_at.isoformat(),
            "request_id": request_id,
        },
    ]
    metadata = {"actor": f"participant:{adder}", "correlation_id": str(uuid7())}
    conn = await asyncpg.connect(db_url)
    try:
        for event in events:
            await conn.execute(
                STORE_RAW,
                UUID(plan.plan_id),
                uuid7(),
                event["type"],
                msgspec.json.encode(event).decode(),
                msgspec.json.encode(metadata).decode(),
            )
    finally:
        await conn.close()
    return contact_id


async def test_an_older_contact_alerts_for_the_partner_who_added_them_only(
    client: AsyncTestClient[Any], db_url: str, db_pool: asyncpg.Pool
) -> None:
    plan = await couple(client)
    given_at = datetime.now(UTC) - timedelta(days=10)
    jo = await store_as_before(db_url, plan, given_at)

    assert await read_stream(db_pool, UUID(plan.plan_id))  # the whole stream decodes
    view = (await client.get(f"/v1/plans/{plan.plan_id}", headers=plan.first.auth)).json()
    [support] = view["supports"]
    assert support["consent"] == "given"
    assert datetime.fromisoformat(support["consent_expires_at"]) == given_at + timedelta(days=365)
    shown = {d["participant_id"]: d for d in support["disclosures"]}
    assert shown[plan.first.participant_id]["status"] == "agreed"
    assert shown[plan.first.participant_id]["share_signs"] is True  # the scope narrows it
    assert shown[plan.second.participant_id]["status"] == "not_asked"

    by_second = await activate(
        client, Couple(plan_id=plan.plan_id, first=plan.second, second=plan.first)
    )
    assert jo not in {r["recipient_id"] for r in by_second["recipients"]}
    by_first = await activate(client, plan, level="crisis")
    assert jo in {r["recipient_id"] for r in by_first["recipients"]}


async def test_an_older_consent_given_over_a_year_ago_has_expired(
    client: AsyncTestClient[Any], db_url: str
) -> None:
    plan = await couple(client)
    jo = await store_as_before(db_url, plan, datetime.now(UTC) - timedelta(days=366))
    view = (await client.get(f"/v1/plans/{plan.plan_id}", headers=plan.first.auth)).json()
    assert view["supports"][0]["consent"] == "expired"
    started = await activate(client, plan, level="crisis")
    assert jo not in {r["recipient_id"] for r in started["recipients"]}
