"""Bad input is a 4xx problem and never reaches the database: no 500 for what a caller sends.

PostgreSQL's text and jsonb cannot hold U+0000, a lone surrogate cannot be encoded at all,
a deep enough JSON document exhausts a recursive decoder, and every integer column has a
range: each of these is refused at the edge, with the field named where there is one.
"""

import json
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.support.api import Couple, activate, add_support, assert_problem, couple, register
from tests.support.database import value_of

pytestmark = pytest.mark.integration

INT4_MAX = 2**31 - 1
NUL = "\x00"
LONE_SURROGATE = "\ud800"
EVENTS = "SELECT count(*) FROM events"
PARTICIPANTS = "SELECT count(*) FROM participants"
DEEP = 10_000  # far past a recursive decoder's limit, well inside the body size limit


async def _plan_paths(client: AsyncTestClient[Any], plan: Couple) -> dict[str, str]:
    """One of each thing a partner can change, so every body with text can be sent."""
    base = f"/v1/plans/{plan.plan_id}"
    sign = await client.post(
        f"{base}/warning-signs",
        json={"category": "sleep", "description": "late nights"},
        headers=plan.first.auth,
    )
    step = await client.post(
        f"{base}/response-steps",
        json={"level": "watch", "description": "call Jo"},
        headers=plan.first.auth,
    )
    activation = await activate(client, plan, level="watch")
    return {
        "sign": f"{base}/warning-signs/{sign.json()['sign_id']}",
        "step": f"{base}/response-steps/{step.json()['step_id']}",
        "activation": f"{base}/activations/{activation['activation_id']}",
    }


# (method, path template, body with {bad} where the bad text goes); {plan} and the paths
# made by _plan_paths are filled in by the test.
TEXT_FIELDS = [
    ("POST", "/v1/plans", {"title": "{bad}"}),
    ("POST", "{plan}/warning-signs", {"category": "{bad}", "description": "late"}),
    ("POST", "{plan}/warning-signs", {"category": "sleep", "description": "late {bad}"}),
    ("PATCH", "{sign}", {"description": "{bad}"}),
    ("POST", "{plan}/response-steps", {"level": "watch", "description": "{bad} call"}),
    ("PATCH", "{step}", {"description": "{bad}"}),
    ("POST", "{plan}/check-ins", {"mood": 3, "craving": 2, "note": "{bad}"}),
    ("POST", "{plan}/activations", {"level": "crisis", "note": "{bad}"}),
    ("POST", "{activation}/resolve", {"reflection": "{bad}"}),
    (
        "POST",
        "{plan}/supports",
        {
            "display_name": "Jo{bad}",
            "relationship": "sponsor",
            "channels": [{"kind": "email", "address": "jo@example.org"}],
        },
    ),
    (
        "POST",
        "{plan}/supports",
        {
            "display_name": "Jo",
            "relationship": "sponsor",
            "channels": [{"kind": "email", "address": "jo{bad}@example.org"}],
        },
    ),
    (
        "PUT",
        "/v1/participants/me/channels",
        {"channels": [{"kind": "sms", "address": "+4412{bad}345"}]},
    ),
]


def _fill(value: Any, bad: str) -> Any:
    if isinstance(value, str):
        return value.replace("{bad}", bad)
    if isinstance(value, list):
        return [_fill(item, bad) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, bad) for key, item in value.items()}
    return value


def _field(body: dict[str, Any]) -> str:
    """Where {bad} is in ``body``, as the problem names it (``channels[0].address``)."""
    for key, value in body.items():
        if isinstance(value, str) and "{bad}" in value:
            return key
        if isinstance(value, list):
            for index, item in enumerate(value):
                for inner, text in item.items():
                    if "{bad}" in text:
                        return f"{key}[{index}].{inner}"
    raise AssertionError(body)


# (status, what the problem says): JSON carries both only as \u escapes (json.dumps writes
# them so). A NUL is valid JSON that PostgreSQL cannot store: 422, naming the field. A lone
# surrogate is refused by the JSON decoder itself as malformed: 400.
BAD_TEXT = [
    pytest.param(NUL, 422, id="nul"),
    pytest.param(LONE_SURROGATE, 400, id="lone-surrogate"),
]


@pytest.mark.parametrize(("bad", "status"), BAD_TEXT)
@pytest.mark.parametrize(("method", "path", "body"), TEXT_FIELDS)
async def test_a_forbidden_code_point_in_any_text_field_is_refused_and_stores_nothing(
    client: AsyncTestClient[Any],
    db_url: str,
    bad: str,
    status: int,
    method: str,
    path: str,
    body: dict[str, Any],
) -> None:
    plan = await couple(client)
    paths = {"plan": f"/v1/plans/{plan.plan_id}", **await _plan_paths(client, plan)}
    events_before = await value_of(db_url, EVENTS)
    answer = await client.request(
        method,
        path.format(**paths),
        content=json.dumps(_fill(body, bad)).encode(),
        headers={**plan.first.auth, "Content-Type": "application/json"},
    )
    problem = assert_problem(answer, status)
    if status == 422:
        assert problem["errors"][0]["key"] == _field(body), problem
    assert await value_of(db_url, EVENTS) == events_before


@pytest.mark.parametrize(("bad", "status"), BAD_TEXT)
async def test_a_forbidden_code_point_in_a_new_name_is_refused_for_anyone(
    client: AsyncTestClient[Any], db_url: str, bad: str, status: int
) -> None:
    answer = await client.post(
        "/v1/participants",
        content=json.dumps({"display_name": f"Al{bad}ex"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert_problem(answer, status)
    assert await value_of(db_url, PARTICIPANTS) == 0


async def test_a_nul_in_a_key_is_refused_too(client: AsyncTestClient[Any]) -> None:
    answer = await client.post(
        "/v1/participants",
        content=b'{"display_name": "Alex", "x\\u0000": 1}',
        headers={"Content-Type": "application/json"},
    )
    assert_problem(answer, 422)


async def test_a_consent_answer_with_a_nul_is_refused(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    _, consent = await add_support(client, plan, consent=None)
    answer = await client.post(
        consent,
        content=b'{"decision": "accept\\u0000"}',
        headers={"Content-Type": "application/json"},
    )
    assert_problem(answer, 422)


@pytest.mark.parametrize(
    "body",
    [
        b"[" * DEEP + b"]" * DEEP,
        b'{"display_name": ' + b"[" * DEEP + b"]" * DEEP + b"}",
        b'{"a":' * (DEEP // 2) + b"1" + b"}" * (DEEP // 2),
        b"[" * DEEP,  # not even closed
    ],
    ids=["array", "in-a-field", "objects", "unclosed"],
)
async def test_json_nested_deeply_is_a_4xx_even_anonymously(
    client: AsyncTestClient[Any], body: bytes
) -> None:
    answer = await client.post(
        "/v1/participants", content=body, headers={"Content-Type": "application/json"}
    )
    assert_problem(answer, 400)


async def test_json_nested_deeply_is_a_4xx_on_a_plan_too(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    answer = await client.post(
        f"/v1/plans/{plan.plan_id}/activations",
        content=b'{"level": "watch", "note": ' + b"[" * DEEP + b"]" * DEEP + b"}",
        headers={**plan.first.auth, "Content-Type": "application/json", "Idempotency-Key": "k1"},
    )
    assert_problem(answer, 400)


async def test_nesting_a_real_body_needs_is_accepted(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    contact_id, _ = await add_support(client, plan)
    answer = await client.put(
        f"/v1/plans/{plan.plan_id}/escalation",
        json={
            "level": "crisis",
            "tiers": [{"contact_ids": [contact_id], "ack_timeout_seconds": 60}],
        },
        headers=plan.first.auth,
    )
    assert answer.status_code == 200, answer.text


async def test_a_body_far_larger_than_any_request_is_413(client: AsyncTestClient[Any]) -> None:
    answer = await client.post(
        "/v1/participants",
        content=b'{"display_name": "' + b"a" * 1_000_000 + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert_problem(answer, 413)


@pytest.mark.parametrize(
    "query",
    [
        f"after={INT4_MAX + 1}",
        f"after={2**63}",
        f"after={2**70}",
        "after=-1",
        f"limit={2**63}",
        "limit=0",
    ],
)
async def test_an_event_page_out_of_range_is_422(client: AsyncTestClient[Any], query: str) -> None:
    plan = await couple(client)
    answer = await client.get(f"/v1/plans/{plan.plan_id}/events?{query}", headers=plan.first.auth)
    assert_problem(answer, 422)


async def test_the_largest_event_page_start_is_an_empty_page(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    answer = await client.get(
        f"/v1/plans/{plan.plan_id}/events?after={INT4_MAX}", headers=plan.first.auth
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["events"] == []


@pytest.mark.parametrize(
    "if_match", [f'"{INT4_MAX + 1}"', '"9999999999"', '"99999999999999999999"', '"-1"']
)
async def test_an_if_match_beyond_any_version_is_422(
    client: AsyncTestClient[Any], if_match: str
) -> None:
    plan = await couple(client)
    answer = await client.post(
        f"/v1/plans/{plan.plan_id}/warning-signs",
        json={"category": "sleep", "description": "late nights"},
        headers={**plan.first.auth, "If-Match": if_match},
    )
    assert_problem(answer, 422)


@pytest.mark.parametrize(
    "body",
    [
        {"mood": 2**31, "craving": 1},
        {"mood": 3, "craving": 2**63},
        {"mood": 3, "craving": -(2**70)},
    ],
)
async def test_integers_in_bodies_beyond_their_range_are_422(
    client: AsyncTestClient[Any], body: dict[str, Any]
) -> None:
    plan = await couple(client)
    answer = await client.post(
        f"/v1/plans/{plan.plan_id}/check-ins", json=body, headers=plan.first.auth
    )
    assert_problem(answer, 422)


async def test_a_tier_timeout_beyond_its_range_is_422(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    contact_id, _ = await add_support(client, plan)
    answer = await client.put(
        f"/v1/plans/{plan.plan_id}/escalation",
        json={
            "level": "crisis",
            "tiers": [{"contact_ids": [contact_id], "ack_timeout_seconds": 2**63}],
        },
        headers=plan.first.auth,
    )
    assert_problem(answer, 422)


@pytest.mark.parametrize(
    "as_of",
    ["0001-01-01T00:00:00%2B14:00", "9999-12-31T23:59:59-14:00", "10000-01-01T00:00:00Z"],
)
async def test_an_as_of_outside_the_calendar_is_422(
    client: AsyncTestClient[Any], as_of: str
) -> None:
    plan = await couple(client)
    answer = await client.get(f"/v1/plans/{plan.plan_id}?as_of={as_of}", headers=plan.first.auth)
    assert_problem(answer, 422)


@pytest.mark.parametrize(
    "key", ["k\x7f", "k" * 256, "k\u00a0k"], ids=["control", "too-long", "non-ascii"]
)
async def test_an_idempotency_key_that_is_not_a_short_visible_token_is_422(
    client: AsyncTestClient[Any], key: str
) -> None:
    plan = await couple(client)
    answer = await client.post(
        f"/v1/plans/{plan.plan_id}/warning-signs",
        json={"category": "sleep", "description": "late nights"},
        headers={**plan.first.auth, "Idempotency-Key": key.encode("latin-1")},
    )
    assert_problem(answer, 422)


async def test_a_nul_in_a_link_token_is_a_404_not_a_500(client: AsyncTestClient[Any]) -> None:
    for path in ("/v1/consents/ab%00cd", "/v1/acks/ab%00cd", "/v1/partner-invites/ab%00cd/accept"):
        alex = await register(client, "Alex")
        answer = await client.post(path, json={"decision": "accept"}, headers=alex.auth)
        assert 400 <= answer.status_code < 500, (path, answer.text)
