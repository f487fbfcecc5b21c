"""Throttling: guesses meet 429 with Retry-After, the limits come from the settings, and
every planner process counts into the same store (a table in PostgreSQL)."""

import asyncio
from typing import Any

import msgspec

from planner.settings import UNLIMITED, Rate, Settings, Throttling
from tests.support.api import assert_problem, couple, register
from tests.support.app_client import app_client
from tests.support.log_capture import captured_logs

WRONG = {"Authorization": "Bearer tp_not-a-token-anyone-has"}


def limited(settings: Settings, **limits: Rate) -> Settings:
    """``settings`` with only the given limits on."""
    return msgspec.structs.replace(
        settings, throttling=msgspec.structs.replace(UNLIMITED, **limits)
    )


def assert_throttled(response: Any, window: int = 60) -> None:
    """A 429 problem, saying to come back within the limit's window (seconds)."""
    body = assert_problem(response, 429)
    assert body["type"].endswith("/too-many-requests")
    assert 1 <= int(response.headers["retry-after"]) <= window
    assert response.headers["x-correlation-id"]  # answered inside the other middlewares


async def test_a_burst_of_wrong_tokens_meets_429_with_retry_after(settings: Settings) -> None:
    with captured_logs() as logs:
        async with app_client(limited(settings, failures=Rate(5, "minute"))) as client:
            answers = [await client.get("/v1/participants/me", headers=WRONG) for _ in range(8)]

    assert [answer.status_code for answer in answers] == [401] * 5 + [429] * 3
    assert_throttled(answers[-1])
    assert [line["limit"] for line in logs.events("api.throttled")] == ["failures"] * 3
    assert "not-a-token" not in logs.text  # neither the token nor a key made from it


async def test_a_right_token_is_refused_too_once_an_address_has_guessed_too_often(
    settings: Settings,
) -> None:
    """Otherwise a guesser would still tell a right guess (200) from a wrong one (429)."""
    async with app_client(limited(settings, failures=Rate(3, "minute"))) as client:
        person = await register(client, "Alex")
        for _ in range(3):
            assert (await client.get("/v1/participants/me", headers=WRONG)).status_code == 401

        assert_throttled(await client.get("/v1/participants/me", headers=person.auth))


async def test_guessed_links_and_invite_codes_count_as_failures(settings: Settings) -> None:
    async with app_client(limited(settings, failures=Rate(4, "minute"))) as client:
        person = await register(client, "Sam")
        guesses = [
            await client.post("/v1/acks/not-a-link"),
            await client.get("/v1/consents/not-a-link"),
            await client.post("/v1/partner-invites/not-a-code/accept", headers=person.auth),
            await client.post("/v1/consents/not-a-link", json={"decision": "accept"}),
        ]
        assert [guess.status_code for guess in guesses] == [404] * 4

        assert_throttled(await client.get("/v1/consents/another-guess"))


async def test_sign_ups_per_address_stop_at_the_configured_limit(settings: Settings) -> None:
    async with app_client(limited(settings, signups=Rate(3, "hour"))) as client:
        for name in ("A", "B", "C"):
            await register(client, name)
        answer = await client.post("/v1/participants", json={"display_name": "D"})

    assert_throttled(answer, window=3600)
    assert int(answer.headers["retry-after"]) > 60  # an hour's window, not a minute's


async def test_each_token_has_its_own_count_on_authenticated_routes(settings: Settings) -> None:
    async with app_client(limited(settings, token=Rate(4, "minute"))) as client:
        first, second = await register(client, "A"), await register(client, "B")
        for _ in range(4):
            assert (await client.get("/v1/participants/me", headers=first.auth)).status_code == 200

        assert_throttled(await client.get("/v1/participants/me", headers=first.auth))
        assert (await client.get("/v1/participants/me", headers=second.auth)).status_code == 200


async def test_two_planner_processes_share_one_count(settings: Settings) -> None:
    """Two apps (as two planner processes would) over one database: one count."""
    shared = limited(settings, failures=Rate(4, "minute"))
    async with app_client(shared) as one, app_client(shared) as other:
        for client in (one, other, one, other):
            assert (await client.get("/v1/participants/me", headers=WRONG)).status_code == 401

        assert_throttled(await one.get("/v1/participants/me", headers=WRONG))
        assert_throttled(await other.get("/v1/participants/me", headers=WRONG))


async def test_a_whole_journey_under_the_default_limits_never_meets_429(
    settings: Settings,
) -> None:
    async with app_client(msgspec.structs.replace(settings, throttling=Throttling())) as client:
        plan = await couple(client)
        path = f"/v1/plans/{plan.plan_id}"
        for _ in range(10):
            read = await client.get(path, headers=plan.first.auth)
            assert read.status_code == 200, read.text
        activated = await client.post(
            f"{path}/activations", json={"level": "setback"}, headers=plan.first.auth
        )
        assert activated.status_code == 201, activated.text


async def test_concurrent_requests_on_several_routes_are_each_counted(
    settings: Settings,
) -> None:
    async with app_client(limited(settings, token=Rate(10, "minute"))) as client:
        person = await register(client, "A")
        plan = await client.post("/v1/plans", json={"title": "Ours"}, headers=person.auth)
        paths = ["/v1/participants/me", f"/v1/plans/{plan.json()['plan_id']}"] * 7
        answers = await asyncio.gather(*(client.get(p, headers=person.auth) for p in paths))

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] * 9 + [429] * 5  # the plan's creation was the first of ten
