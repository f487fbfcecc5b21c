"""DELETE /v1/participants/me: a confirmed erasure of the caller, refused while help is asked."""

from typing import Any
from uuid import UUID

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from planner.store.plan_states import PlanStates
from tests.support.api import activate, add_support, assert_problem, couple, register

pytestmark = pytest.mark.integration

ERASE = "/v1/participants/me"
CONFIRMED = {"confirm": "erase"}

COUNTS = """
SELECT (SELECT count(*) FROM participants WHERE participant_id = $1)
     + (SELECT count(*) FROM participant_tokens WHERE participant_id = $1)
     + (SELECT count(*) FROM plan_members WHERE participant_id = $1)
     + (SELECT count(*) FROM do_not_involve WHERE participant_id = $1)
"""
ANSWERS_NAMING = "SELECT count(*) FROM idempotency_keys WHERE position($1::bytea IN body) > 0"


async def test_erasing_needs_the_confirmation_and_says_what_to_send(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    for body in ({}, {"confirm": "yes"}):
        refused = await client.request("DELETE", ERASE, json=body, headers=plan.second.auth)
        problem = assert_problem(refused, 422)
        assert '{"confirm": "erase"}' in problem["detail"]
    bare = await client.request("DELETE", ERASE, headers=plan.second.auth)  # no body at all
    assert '{"confirm": "erase"}' in assert_problem(bare, 422)["detail"]
    unknown = await client.request(
        "DELETE", ERASE, json={"confirm": "erase", "why": "x"}, headers=plan.second.auth
    )
    assert_problem(unknown, 422)
    still = await client.get("/v1/participants/me", headers=plan.second.auth)
    assert still.status_code == 200


async def test_an_erased_partner_is_gone_and_the_other_keeps_the_plan(
    client: AsyncTestClient[Any], db_pool: asyncpg.Pool
) -> None:
    plan = await couple(client)
    alex, sam = plan.first, plan.second
    base = f"/v1/plans/{plan.plan_id}"
    await client.put(
        "/v1/participants/me/channels",
        json={"channels": [{"kind": "email", "address": "sam-erasable@example.org"}]},
        headers=sam.auth,
    )
    sign = await client.post(
        f"{base}/warning-signs",
        json={"category": "sleep", "description": "Sam-sign-Quillwort"},
        headers={**sam.auth, "Idempotency-Key": "sam-sign-1"},
    )
    assert sign.status_code == 201, sign.text
    step = await client.post(
        f"{base}/response-steps",
        json={"level": "watch", "description": "Sam-step-Quillwort"},
        headers=sam.auth,
    )
    assert step.status_code == 201, step.text
    assert "Sam-step-Quillwort" in (await client.get(base, headers=alex.auth)).text  # kept
    listed = await client.post(
        "/v1/participants/me/do-not-involve",
        json={"kind": "email", "address": "ex@example.org", "reason": "Sam's own reason"},
        headers=sam.auth,
    )
    assert listed.status_code == 201
    await add_support(client, plan, "Jo")
    # Alex's answer, kept for a retry under its key, names Sam as a recipient.
    asked = await client.post(
        f"{base}/activations",
        json={"level": "setback"},
        headers={**alex.auth, "Idempotency-Key": "alex-asks"},
    )
    assert asked.status_code == 201, asked.text
    resolved = await client.post(
        f"{base}/activations/{asked.json()['activation_id']}/resolve",
        json={"outcome": "resolved"},
        headers=alex.auth,
    )
    assert resolved.status_code == 200, resolved.text
    assert await db_pool.fetchval(ANSWERS_NAMING, sam.participant_id.encode()) == 1

    erased = await client.request("DELETE", ERASE, json=CONFIRMED, headers=sam.auth)

    assert erased.status_code == 204, erased.text
    assert_problem(await client.get("/v1/participants/me", headers=sam.auth), 401)
    assert await db_pool.fetchval(COUNTS, sam.participant_id) == 0
    assert await db_pool.fetchval(ANSWERS_NAMING, sam.participant_id.encode()) == 0
    assert await db_pool.fetchval("SELECT count(*) FROM idempotency_keys") == 0
    kept = await client.get(base, headers=alex.auth)
    assert kept.status_code == 200, kept.text
    assert "Sam" not in kept.text
    assert "Sam-sign-Quillwort" not in kept.text
    assert "Sam-step-Quillwort" not in kept.text  # the step Sam wrote: folded again
    assert [p["participant_id"] for p in kept.json()["partners"]] == [alex.participant_id]
    history = await client.get(f"{base}/events?limit=500", headers=alex.auth)
    [event] = [e for e in history.json()["events"] if e["type"] == "plan.participant_erased"]
    assert event["data"] == {
        "participant_id": sam.participant_id,
        "at": event["data"]["at"],
        "by": "self",
    }
    assert "Sam-sign-Quillwort" not in history.text
    [sign] = [e for e in history.json()["events"] if e["type"] == "plan.warning_sign_added"]
    assert sign["data"]["description"] == "[erased]"
    stored = await db_pool.fetchval("SELECT string_agg(payload::text, ' ') FROM events")
    assert "Sam-sign-Quillwort" not in stored
    keys = "SELECT count(*) FROM data_keys WHERE subject_id = $1"
    assert await db_pool.fetchval(keys, sam.participant_id) == 0
    tombstone = "SELECT count(*) FROM data_key_tombstones WHERE subject_id = $1"
    assert await db_pool.fetchval(tombstone, sam.participant_id) == 1
    again = await client.request("DELETE", ERASE, json=CONFIRMED, headers=sam.auth)
    assert_problem(again, 401)


async def test_nobody_is_erased_while_a_request_for_help_is_open(
    client: AsyncTestClient[Any], db_pool: asyncpg.Pool
) -> None:
    plan = await couple(client)
    await add_support(client, plan, "Jo")
    activation = await activate(client, plan)

    refused = await client.request("DELETE", ERASE, json=CONFIRMED, headers=plan.second.auth)

    problem = assert_problem(refused, 409)
    assert "resolve it first" in problem["detail"]
    assert await db_pool.fetchval(COUNTS, plan.second.participant_id) >= 2  # nothing changed
    resolved = await client.post(
        f"/v1/plans/{plan.plan_id}/activations/{activation['activation_id']}/resolve",
        json={"outcome": "resolved"},
        headers=plan.first.auth,
    )
    assert resolved.status_code == 200, resolved.text
    erased = await client.request("DELETE", ERASE, json=CONFIRMED, headers=plan.second.auth)
    assert erased.status_code == 204, erased.text


async def test_a_plan_kept_in_another_process_is_folded_again_past_an_erasure(
    client: AsyncTestClient[Any], db_pool: asyncpg.Pool
) -> None:
    plan = await couple(client)
    step = await client.post(
        f"/v1/plans/{plan.plan_id}/response-steps",
        json={"level": "watch", "description": "Sam-step-Larkspur"},
        headers=plan.second.auth,
    )
    assert step.status_code == 201, step.text
    elsewhere = PlanStates()  # another planner process's plans
    before = await elsewhere.load(db_pool, UUID(plan.plan_id))
    assert before is not None
    assert [s.description for s in before.steps.values()] == ["Sam-step-Larkspur"]

    erased = await client.request("DELETE", ERASE, json=CONFIRMED, headers=plan.second.auth)
    assert erased.status_code == 204, erased.text

    after = await elsewhere.load(db_pool, UUID(plan.plan_id))
    assert after is not None
    assert [s.description for s in after.steps.values()] == ["[erased]"]
    assert after.version == before.version + 1


async def test_a_partner_erases_a_support_contact_of_their_plan(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    jo, _ = await add_support(client, plan, "Jo-Periwinkle")
    erasure = f"/v1/plans/{plan.plan_id}/supports/{jo}/erasure"
    unconfirmed = await client.post(erasure, json={}, headers=plan.second.auth)
    assert '{"confirm": "erase"}' in assert_problem(unconfirmed, 422)["detail"]
    stranger = await couple(client)
    refused = await client.post(erasure, json=CONFIRMED, headers=stranger.first.auth)
    assert_problem(refused, 403)

    erased = await client.post(erasure, json=CONFIRMED, headers=plan.second.auth)

    assert erased.status_code == 204, erased.text
    shown = await client.get(f"/v1/plans/{plan.plan_id}", headers=plan.first.auth)
    assert "Jo-Periwinkle" not in shown.text
    assert "jo-periwinkle@example.org" not in shown.text
    history = await client.get(f"/v1/plans/{plan.plan_id}/events", headers=plan.first.auth)
    assert "Jo-Periwinkle" not in history.text
    [event] = [e for e in history.json()["events"] if e["type"] == "plan.support_contact_erased"]
    assert event["data"]["by"] == "partner"
    unknown = f"/v1/plans/{plan.plan_id}/supports/{stranger.plan_id}/erasure"
    assert_problem(await client.post(unknown, json=CONFIRMED, headers=plan.first.auth), 404)


async def test_someone_with_no_plan_is_erased_too(
    client: AsyncTestClient[Any], db_pool: asyncpg.Pool
) -> None:
    lone = await register(client, "Lone-Marigold")

    erased = await client.request("DELETE", ERASE, json=CONFIRMED, headers=lone.auth)

    assert erased.status_code == 204, erased.text
    assert await db_pool.fetchval(COUNTS, lone.participant_id) == 0
    assert_problem(await client.get("/v1/participants/me", headers=lone.auth), 401)
