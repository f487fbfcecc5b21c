"""Through the API: a plan's personal text never reaches the events table in the clear, every
read shows it, and after a shred the person's text reads "[erased]" while the chain holds."""

from typing import Any
from uuid import UUID

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from contracts.events import PlanActivated, PlanCreated, SupportContactAdded
from planner.store import sealing, verification
from planner.store.chain import chain_key
from planner.store.event_store import read_stream
from tests.support.api import TEST_SECRET, Couple, activate, add_support, create_plan, register

pytestmark = pytest.mark.integration

NAME, OTHER = "Zephyrine-Q7", "Quillon-K4"
CONTACT, SIGN, NOTE = "Jovanka-P2", "Hides-bottles-Q7", "Note-from-Q7"


async def journey(client: AsyncTestClient[Any]) -> Couple:
    first = await register(client, NAME)
    second = await register(client, OTHER)
    plan_id = await create_plan(client, first)
    invite = await client.post(f"/v1/plans/{plan_id}/partner-invites", headers=first.auth)
    code = invite.json()["invite_code"]
    joined = await client.post(f"/v1/partner-invites/{code}/accept", headers=second.auth)
    assert joined.status_code == 200, joined.text
    plan = Couple(plan_id=plan_id, first=first, second=second)
    await add_support(client, plan, CONTACT)
    sign = await client.post(
        f"/v1/plans/{plan_id}/warning-signs",
        json={"owner_id": first.participant_id, "category": "habits", "description": SIGN},
        headers=first.auth,
    )
    assert sign.status_code == 201, sign.text
    await activate(client, plan, note=NOTE)
    return plan


async def test_a_journey_through_the_api_is_sealed_at_rest_and_open_on_every_read(
    client: AsyncTestClient[Any], db_pool: asyncpg.Pool
) -> None:
    plan = await journey(client)
    stored = "\n".join(r["p"] for r in await db_pool.fetch("SELECT payload::text AS p FROM events"))
    for text in (NAME, OTHER, CONTACT, SIGN, NOTE, "jovanka-p2@example.org"):
        assert text not in stored
    shown = await client.get(f"/v1/plans/{plan.plan_id}", headers=plan.first.auth)
    assert shown.status_code == 200, shown.text
    for text in (NAME, OTHER, CONTACT, SIGN):
        assert text in shown.text

    async with db_pool.acquire() as conn:
        await sealing.shred(conn, UUID(plan.first.participant_id))
    events = [e.event for e in await read_stream(db_pool, UUID(plan.plan_id))]
    created = next(e for e in events if isinstance(e, PlanCreated))
    activated = next(e for e in events if isinstance(e, PlanActivated))
    added = next(e for e in events if isinstance(e, SupportContactAdded))
    assert created.creator_name == sealing.ERASED
    assert (activated.note, activated.activator_name) == (sealing.ERASED, sealing.ERASED)
    assert added.display_name == CONTACT  # the contact's own text is theirs, not erased
    async with db_pool.acquire() as conn:
        report = await verification.verify(conn, chain_key(TEST_SECRET))
    assert report.ok, report.problems
