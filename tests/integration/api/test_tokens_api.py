"""A participant's tokens: they expire unused, are listed without secrets, and are revoked."""

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import msgspec
import pytest
from litestar.testing import AsyncTestClient

from planner.settings import Settings
from tests.support.api import Person, assert_problem, register
from tests.support.app_client import app_client

pytestmark = pytest.mark.integration

TOKENS = "/v1/participants/me/tokens"
ME = "/v1/participants/me"


async def _second_token(client: AsyncTestClient[Any], person: Person) -> Person:
    issued = await client.post(TOKENS, headers=person.auth)
    assert issued.status_code == 201, issued.text
    return Person(participant_id=person.participant_id, token=issued.json()["token"], name="")


async def test_tokens_are_stored_hashed_never_plain(
    client: AsyncTestClient[Any], db_pool: asyncpg.Pool
) -> None:
    alex = await register(client, "Alex")
    stored = await db_pool.fetchval("SELECT token_sha256 FROM participant_tokens")
    assert alex.token not in stored
    assert len(stored) == 64


async def test_the_list_names_each_token_by_id_and_never_shows_a_token(
    client: AsyncTestClient[Any],
) -> None:
    alex = await register(client, "Alex")
    phone = await _second_token(client, alex)

    listed = await client.get(TOKENS, headers=alex.auth)

    assert listed.status_code == 200
    tokens = listed.json()["tokens"]
    assert len(tokens) == 2
    assert [t["current"] for t in tokens] == [True, False]
    assert set(tokens[0]) == {"token_id", "created_at", "last_used_at", "expires_at", "current"}
    assert alex.token not in listed.text
    assert phone.token not in listed.text


async def test_a_revoked_token_is_refused_at_once(client: AsyncTestClient[Any]) -> None:
    alex = await register(client, "Alex")
    phone = await _second_token(client, alex)
    assert (await client.get(ME, headers=phone.auth)).status_code == 200
    phone_id = next(
        t["token_id"]
        for t in (await client.get(TOKENS, headers=alex.auth)).json()["tokens"]
        if not t["current"]
    )

    revoked = await client.delete(f"{TOKENS}/{phone_id}", headers=alex.auth)

    assert revoked.json() == {"revoked": 1}
    assert_problem(await client.get(ME, headers=phone.auth), 401)
    assert (await client.get(ME, headers=alex.auth)).status_code == 200
    assert_problem(await client.delete(f"{TOKENS}/{phone_id}", headers=alex.auth), 404)


async def test_a_participant_cannot_revoke_someone_elses_token(
    client: AsyncTestClient[Any],
) -> None:
    alex, kim = await register(client, "Alex"), await register(client, "Kim")
    alex_id = (await client.get(TOKENS, headers=alex.auth)).json()["tokens"][0]["token_id"]

    assert_problem(await client.delete(f"{TOKENS}/{alex_id}", headers=kim.auth), 404)
    assert (await client.get(ME, headers=alex.auth)).status_code == 200


async def test_signing_out_everywhere_else_keeps_only_the_asking_token(
    client: AsyncTestClient[Any],
) -> None:
    alex = await register(client, "Alex")
    others = [await _second_token(client, alex) for _ in range(3)]
    kim = await register(client, "Kim")

    revoked = await client.delete(TOKENS, headers=alex.auth)

    assert revoked.status_code == 200
    assert revoked.json() == {"revoked": 3}
    for other in others:
        assert_problem(await client.get(ME, headers=other.auth), 401)
    assert len((await client.get(TOKENS, headers=alex.auth)).json()["tokens"]) == 1
    assert (await client.get(ME, headers=kim.auth)).status_code == 200


async def test_a_participant_may_sign_out_the_token_they_ask_with(
    client: AsyncTestClient[Any],
) -> None:
    alex = await register(client, "Alex")
    own = (await client.get(TOKENS, headers=alex.auth)).json()["tokens"][0]["token_id"]

    assert (await client.delete(f"{TOKENS}/{own}", headers=alex.auth)).status_code == 200

    assert_problem(await client.get(ME, headers=alex.auth), 401)


async def test_an_expired_token_is_refused(
    client: AsyncTestClient[Any], db_pool: asyncpg.Pool
) -> None:
    alex = await register(client, "Alex")
    await db_pool.execute("UPDATE participant_tokens SET expires_at = now() - interval '1 second'")

    body = assert_problem(await client.get(ME, headers=alex.auth), 401)

    assert "expired" in body["detail"]


async def test_each_use_moves_the_expiry_on(
    client: AsyncTestClient[Any], db_pool: asyncpg.Pool
) -> None:
    alex = await register(client, "Alex")
    await db_pool.execute(
        "UPDATE participant_tokens SET last_used_at = now() - interval '80 days', "
        "expires_at = now() + interval '10 days'"
    )

    assert (await client.get(ME, headers=alex.auth)).status_code == 200

    used, expires = await db_pool.fetchrow(
        "SELECT last_used_at, expires_at FROM participant_tokens"
    )
    assert datetime.now(UTC) - used < timedelta(minutes=5)
    assert expires - used == timedelta(days=90)


async def test_the_lifetime_is_the_setting(settings: Settings) -> None:
    short = msgspec.structs.replace(settings, token_days=3)
    async with app_client(short) as client:
        answer = await client.post("/v1/participants", json={"display_name": "Alex"})
    assert answer.status_code == 201
    expires_at = datetime.fromisoformat(answer.json()["expires_at"])
    assert timedelta(days=3) - timedelta(minutes=5) < expires_at - datetime.now(UTC)
    assert expires_at - datetime.now(UTC) <= timedelta(days=3)
