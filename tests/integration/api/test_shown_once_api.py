"""Shown-once secrets and Idempotency-Key: a repeat shows them again, the database never holds them."""

import hashlib
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.support.api import couple, register

pytestmark = pytest.mark.integration

MIGRATION_0006 = (
    Path(__file__).parents[3] / "infra" / "migrations" / "0006_idempotency_without_secrets.sql"
)


async def stored_answers(db_url: str) -> list[str]:
    conn = await asyncpg.connect(db_url)
    try:
        rows = await conn.fetch("SELECT convert_from(body, 'UTF8') AS body FROM idempotency_keys")
    finally:
        await conn.close()
    return [row["body"] for row in rows]


async def test_a_repeated_invite_shows_the_same_code_and_only_its_hash_is_stored(
    client: AsyncTestClient[Any], db_url: str
) -> None:
    first = await register(client, "Alex")
    plan = (await client.post("/v1/plans", json={"title": "Ours"}, headers=first.auth)).json()
    headers = {**first.auth, "Idempotency-Key": "invite-1"}
    path = f"/v1/plans/{plan['plan_id']}/partner-invites"
    answers = [await client.post(path, headers=headers) for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    code = answers[0].json()["invite_code"]
    assert len(code) >= 16
    assert all(code not in answer for answer in await stored_answers(db_url))
    second = await register(client, "Sam")
    joined = await client.post(f"/v1/partner-invites/{code}/accept", headers=second.auth)
    assert joined.status_code == 200, joined.text


async def test_a_repeated_support_shows_the_same_signing_secret_and_never_stores_it(
    client: AsyncTestClient[Any], db_url: str, settings: Any
) -> None:
    plan = await couple(client)
    body = {
        "display_name": "Jo",
        "relationship": "sponsor",
        "channels": [
            {"kind": "webhook", "address": "http://93.184.215.14/hook"},
            {"kind": "email", "address": "jo@example.org"},
        ],
    }
    headers = {**plan.first.auth, "Idempotency-Key": "support-1"}
    path = f"/v1/plans/{plan.plan_id}/supports"
    answers = [await client.post(path, json=body, headers=headers) for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    [secret] = [c["signing_secret"] for c in answers[0].json()["channels"] if "signing_secret" in c]
    assert secret.startswith("whsec_")
    stored = await stored_answers(db_url)
    assert any(answers[0].json()["contact_id"] in answer for answer in stored)
    assert all(secret not in answer and "/v1/consents/" not in answer for answer in stored)


async def test_answers_stored_with_secrets_before_are_rewritten_without_them(
    client: AsyncTestClient[Any], db_url: str
) -> None:
    """Migration 0006, on answers as the release before stored them; a repeat of one is
    answered as stored, without the secret."""
    first = await register(client, "Alex")
    plan = (await client.post("/v1/plans", json={"title": "Ours"}, headers=first.auth)).json()
    path = f"/v1/plans/{plan['plan_id']}/partner-invites"
    old_invite = (
        f'{{"plan_id":"{plan["plan_id"]}","version":2,"invite_code":"Sekr1tCodeAbcdEf",'
        '"expires_at":"2026-12-10T00:00:00Z"}'
    )
    old_support = (
        f'{{"plan_id":"{plan["plan_id"]}","version":3,'
        '"contact_id":"01950000-0000-7000-8000-0000000000d1",'
        '"consent_url":"http://tandem.test/v1/consents/AAAA.BBBB",'
        '"channels":[{"kind":"email","address":"jo@example.org"},'
        '{"kind":"webhook","address":"http://h/x","signing_secret":"whsec_c2Vrcml0"}]}'
    )
    conn = await asyncpg.connect(db_url)
    try:
        insert = (
            "INSERT INTO idempotency_keys (principal, key, request_sha256, status_code, body)"
            " VALUES ($1, $2, $3, 201, convert_to($4, 'UTF8'))"
        )
        principal = f"participant:{first.participant_id}"
        await conn.execute(insert, principal, "old-invite", request_sha256(path), old_invite)
        await conn.execute(insert, principal, "old-support", "0" * 64, old_support)
        await conn.execute(MIGRATION_0006.read_text())
    finally:
        await conn.close()
    stored = " ".join(await stored_answers(db_url))
    for secret in ("Sekr1tCodeAbcdEf", "/v1/consents/", "whsec_c2Vrcml0", "consent_url"):
        assert secret not in stored
    assert "jo@example.org" in stored  # the rest of the answer is kept
    repeat = await client.post(path, headers={**first.auth, "Idempotency-Key": "old-invite"})
    assert repeat.status_code == 201
    assert "invite_code" not in repeat.json()
    assert repeat.json()["plan_id"] == plan["plan_id"]


def request_sha256(path: str, body: bytes = b"") -> str:
    """How the API fingerprints a request for its Idempotency-Key (method, path, body)."""
    return hashlib.sha256(f"POST {path}\n".encode() + body).hexdigest()
