"""Who may open each page: the partner's pages by session, the contact's by their link.

The callers, in one world (tests/support/world.py): anonymous (no session), a stranger
(Kim, signed in, a partner of another plan) and the partner (Alex). Both sign in on the
pages with their API token. Each column runs top to bottom in a fresh world.
"""

import hashlib
from typing import Any, NamedTuple

import asyncpg
import httpx
import pytest
from litestar.testing import AsyncTestClient

from planner.settings import Settings
from tests.integration.web.forms import submit
from tests.support.world import OPERATOR_TOKEN, World, build

pytestmark = pytest.mark.integration

ROLES = ("anonymous", "stranger", "partner")
START = 303  # to the start page, to sign in


class Row(NamedTuple):
    method: str
    path: str  # with the world's ids filled in (see _filled)
    form: dict[str, str] | None
    expected: tuple[int, int, int]  # per ROLES


PLAN = "/plans/{plan_id}"
# fmt: off
MATRIX = [
    Row("GET", PLAN, None,                                                        (START, 403, 200)),
    Row("GET", PLAN + "/history", None,                                           (START, 403, 200)),
    Row("GET", PLAN + "/history?as_of=2020-01-01T00:00", None,                    (START, 403, 200)),
    Row("GET", PLAN + "/check-in", None,                                          (START, 403, 200)),
    Row("GET", PLAN + "/activate/crisis", None,                                   (START, 403, 200)),
    Row("GET", PLAN + "/activations/{activation_id}", None,                       (START, 403, 200)),
    Row("GET", PLAN + "/activations/{activation_id}/live", None,                  (START, 403, 200)),
    Row("GET", "/me", None,                                                       (START, 200, 200)),
    Row("GET", "/me/privacy", None,                                               (START, 200, 200)),
    Row("POST", PLAN + "/signs", {"category": "sleep", "description": "naps", "level": "watch"},
                                                                                  (START, 403, 303)),
    Row("POST", PLAN + "/signs/{sign_id}/revise", {"description": "later"},       (START, 403, 303)),
    Row("POST", PLAN + "/steps", {"description": "walk", "level": "watch"},       (START, 403, 303)),
    Row("POST", PLAN + "/steps/{step_id}/remove", {},                             (START, 403, 303)),
    Row("POST", PLAN + "/check-ins", {"mood": "3", "craving": "1"},               (START, 403, 303)),
    Row("POST", PLAN + "/escalation", {"level": "crisis", "tier1": "{contact_id}", "wait1": "5"},
                                                                                  (START, 403, 303)),
    Row("POST", PLAN + "/supports/{removable_contact_id}/remove", {},             (START, 403, 303)),
    Row("POST", PLAN + "/supports/{asked_contact_id}/disclosure", {"alert": "yes"},
                                                                                  (START, 403, 303)),
    # Each one's own list: another's entry is not found, whoever asks.
    Row("POST", "/me/privacy/do-not-involve", {"kind": "sms", "address": "+15550100998"},
                                                                                  (START, 303, 303)),
    Row("POST", "/me/privacy/do-not-involve/{do_not_involve_entry_id}/remove", {},
                                                                                  (START, 404, 303)),
    Row("POST", PLAN + "/activations/{activation_id}/resolve", {"outcome": "resolved"},
                                                                                  (START, 403, 303)),
    # The contact's pages: the link is the key, whoever holds it; a wrong or forged one is 404.
    Row("GET", "/consent/{consent_token}", None,                                  (200, 200, 200)),
    Row("GET", "/ack/{ack_token}", None,                                          (200, 200, 200)),
    Row("GET", "/consent/{ack_token}", None,                                      (404, 404, 404)),
    Row("GET", "/ack/{consent_token}", None,                                      (404, 404, 404)),
    Row("GET", "/ack/forged.link", None,                                          (404, 404, 404)),
    # Erasing: each one themself, asked first on a page of its own.
    Row("GET", "/me/erase", None,                                                 (START, 200, 200)),
    Row("GET", "/consent/{consent_token}/erase", None,                            (200, 200, 200)),
    Row("GET", "/consent/{ack_token}/erase", None,                                (404, 404, 404)),
    Row("GET", "/erased", None,                                                   (200, 200, 200)),
    Row("GET", PLAN + "/supports/{contact_id}/erase", None,                      (START, 403, 200)),
    # The partner's column resolved Sam's request for help above: Jo can be erased.
    Row("POST", PLAN + "/supports/{contact_id}/erase", {"confirm": "erase"},     (START, 403, 303)),
    # Last, as they erase: whoever holds Jo's link erases Jo, once Sam's request for help is
    # resolved (the partner's column resolved it above; before that, 409).
    Row("POST", "/consent/{consent_token}/erase", {"confirm": "erase"},          (409, 409, 303)),
    Row("POST", "/me/erase", {"confirm": "erase"},                                (START, 303, 303)),
]
# fmt: on


def _filled(text: str, world: World) -> str:
    return text.format(
        plan_id=world.plan.plan_id,
        activation_id=world.activation_id,
        sign_id=world.sign_ids[0],
        step_id=world.step_ids[1],
        contact_id=world.contact_id,
        removable_contact_id=world.removable_contact_id,
        asked_contact_id=world.asked_contact_id,
        do_not_involve_entry_id=world.do_not_involve_entry_id,
        consent_token=world.consent_token,
        ack_token=world.ack_token,
    )


async def _sign_in(client: AsyncTestClient[Any], token: str) -> None:
    answer = await submit(client, "/", "/sign-in/token", {"token": token})
    assert answer.status_code == 303, answer.text


@pytest.mark.parametrize("role", ROLES)
async def test_each_page_answers_each_caller_as_the_matrix_says(
    client: AsyncTestClient[Any], db_pool: asyncpg.Pool, settings: Settings, role: str
) -> None:
    world = await build(client, db_pool, settings)
    column = ROLES.index(role)
    client.cookies = httpx.Cookies()
    if role != "anonymous":
        await _sign_in(client, (world.stranger if role == "stranger" else world.partner).token)
    for row in MATRIX:
        path = _filled(row.path, world)
        if row.form is None:
            answer = await client.get(path, follow_redirects=False)
        else:
            form = {key: _filled(value, world) for key, value in row.form.items()}
            answer = await submit(client, "/", path, form)
        assert answer.status_code == row.expected[column], (
            f"{row.method} {row.path} as {role}: {answer.text[:300]}"
        )
        if answer.status_code != START:  # a page, never JSON
            assert answer.headers["content-type"].startswith("text/html"), row
        else:
            expected = ("/?signed_out=1",) if role == "anonymous" else ("/plans/", "/me/")
            if role != "anonymous" and row.path in ("/me/erase", "/consent/{consent_token}/erase"):
                expected = ("/erased?",)  # the person is gone: nothing of theirs to go back to
            assert answer.headers["location"].startswith(expected)


async def test_an_operator_token_does_not_sign_in_on_the_pages(
    client: AsyncTestClient[Any], db_pool: asyncpg.Pool, settings: Settings
) -> None:
    await build(client, db_pool, settings)
    refused = await submit(client, "/", "/sign-in/token", {"token": OPERATOR_TOKEN})
    assert refused.status_code == 422
    assert "tandem_session" not in refused.headers.get("set-cookie", "")


async def test_the_session_id_is_kept_only_as_its_hash(
    client: AsyncTestClient[Any], db_pool: asyncpg.Pool, settings: Settings
) -> None:
    world = await build(client, db_pool, settings)
    client.cookies = httpx.Cookies()
    await _sign_in(client, world.partner.token)
    session_id = client.cookies["tandem_session"]
    stored = [
        row["session_sha256"]
        for row in await db_pool.fetch("SELECT session_sha256 FROM page_sessions")
    ]
    assert session_id not in stored
    assert hashlib.sha256(session_id.encode()).hexdigest() in stored
    signed_out = await submit(client, "/", "/sign-out", {})
    assert signed_out.status_code == 303
    assert await db_pool.fetchval("SELECT count(*) FROM page_sessions") == 0
