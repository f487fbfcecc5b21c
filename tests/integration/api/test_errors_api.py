"""Every error is an RFC 9457 problem details body, and none is a 500."""

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.support.api import assert_problem, couple, register

pytestmark = pytest.mark.integration

UNKNOWN = "01900000-0000-7000-8000-000000000000"


async def test_no_token_is_401_with_a_bearer_challenge(client: AsyncTestClient[Any]) -> None:
    answer = await client.post("/v1/plans", json={"title": "x"})
    assert_problem(answer, 401)
    assert answer.headers["www-authenticate"] == "Bearer"


async def test_an_unknown_token_is_401(client: AsyncTestClient[Any]) -> None:
    answer = await client.post(
        "/v1/plans", json={"title": "x"}, headers={"Authorization": "Bearer nope"}
    )
    assert_problem(answer, 401)


async def test_a_stranger_is_403_on_someone_elses_plan(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    stranger = await register(client, "Kim")
    for answer in (
        await client.get(f"/v1/plans/{plan.plan_id}", headers=stranger.auth),
        await client.get(f"/v1/plans/{plan.plan_id}/events", headers=stranger.auth),
        await client.post(
            f"/v1/plans/{plan.plan_id}/activations", json={"level": "watch"}, headers=stranger.auth
        ),
    ):
        assert_problem(answer, 403)


async def test_an_unknown_plan_is_404(client: AsyncTestClient[Any]) -> None:
    alex = await register(client, "Alex")
    assert_problem(await client.get(f"/v1/plans/{UNKNOWN}", headers=alex.auth), 404)
    assert_problem(
        await client.post(
            f"/v1/plans/{UNKNOWN}/warning-signs",
            json={"category": "a", "description": "b"},
            headers=alex.auth,
        ),
        404,
    )
    assert_problem(
        await client.post(
            f"/v1/plans/{UNKNOWN}/activations", json={"level": "watch"}, headers=alex.auth
        ),
        404,
    )


async def test_an_unknown_route_is_a_problem_404(client: AsyncTestClient[Any]) -> None:
    assert_problem(await client.get("/v1/nothing-here"), 404)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/activations", {"level": "meltdown"}),
        ("/warning-signs", {"category": "sleep", "description": ""}),
        ("/warning-signs", {"category": "sleep", "description": "   "}),
        ("/warning-signs", {"category": "sleep", "description": "x" * 2001}),
        ("/warning-signs", {"category": "sleep", "description": "ok", "colour": "red"}),
        ("/response-steps", {"level": "watch"}),
        ("/check-ins", {"mood": 9, "craving": 1}),
        ("/activations", {"level": "watch", "observed_sign_ids": ["not-a-uuid"]}),
        ("/supports", {"display_name": "Jo", "relationship": "friend", "channels": []}),
        (
            "/supports",
            {
                "display_name": "Jo",
                "relationship": "friend",
                "channels": [{"kind": "pigeon", "address": "roof"}],
            },
        ),
    ],
)
async def test_invalid_bodies_are_422(
    client: AsyncTestClient[Any], path: str, body: dict[str, Any]
) -> None:
    plan = await couple(client)
    answer = await client.post(
        f"/v1/plans/{plan.plan_id}{path}", json=body, headers=plan.first.auth
    )
    assert_problem(answer, 422)


async def test_a_body_that_is_not_json_is_400(client: AsyncTestClient[Any]) -> None:
    """Unparseable JSON is a syntax error (400); parseable but invalid content is a 422."""
    plan = await couple(client)
    answer = await client.post(
        f"/v1/plans/{plan.plan_id}/warning-signs",
        content=b"{not json",
        headers={**plan.first.auth, "Content-Type": "application/json"},
    )
    assert_problem(answer, 400)


async def test_a_malformed_id_in_the_path_is_422(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    answer = await client.patch(
        f"/v1/plans/{plan.plan_id}/warning-signs/not-a-uuid",
        json={"description": "x"},
        headers=plan.first.auth,
    )
    assert assert_problem(answer, 422)["errors"][0]["key"] == "sign_id"
    plan_answer = await client.get("/v1/plans/nope", headers=plan.first.auth)
    assert assert_problem(plan_answer, 422)["errors"][0]["key"] == "plan_id"


async def test_a_stale_if_match_is_412(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    answer = await client.post(
        f"/v1/plans/{plan.plan_id}/warning-signs",
        json={"category": "sleep", "description": "late nights"},
        headers={**plan.first.auth, "If-Match": '"1"'},
    )
    body = assert_problem(answer, 412)
    assert body["current_version"] == 3


async def test_a_current_if_match_is_accepted(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    answer = await client.post(
        f"/v1/plans/{plan.plan_id}/warning-signs",
        json={"category": "sleep", "description": "late nights"},
        headers={**plan.first.auth, "If-Match": '"3"'},
    )
    assert answer.status_code == 201
    assert answer.headers["etag"] == '"4"'


async def test_a_malformed_if_match_is_422(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    answer = await client.post(
        f"/v1/plans/{plan.plan_id}/warning-signs",
        json={"category": "sleep", "description": "late nights"},
        headers={**plan.first.auth, "If-Match": "yesterday"},
    )
    assert_problem(answer, 422)


async def test_a_second_open_activation_at_a_level_is_409(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    path = f"/v1/plans/{plan.plan_id}/activations"
    assert (
        await client.post(path, json={"level": "watch"}, headers=plan.first.auth)
    ).status_code == 201
    again = await client.post(path, json={"level": "watch"}, headers=plan.first.auth)
    assert assert_problem(again, 409)["rule"] == "activation_open"
