"""Every operation by every kind of caller, against the status table written out below.

The callers, each in a world of their own (tests/support/world.py):

- anonymous: no ``Authorization`` header, no link;
- partner: Alex, a partner of the plan the paths name;
- stranger: Kim, a partner of another plan;
- link holder: what a support contact receives — a consent link and an alert's acknowledge
  link — and nothing else; on bearer routes they present their link as a bearer token;
- operator: an operator token (reads any plan, changes none).

Callers without the link use a forged one on the link routes. Each column runs top to
bottom in its own fresh world, so a partner's delete does not starve a later row.
"""

from typing import Any, NamedTuple

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from planner.api.openapi import OPERATIONS
from planner.settings import Settings
from tests.support.world import World, build

pytestmark = pytest.mark.integration

ROLES = ("anonymous", "partner", "stranger", "link holder", "operator")
FORGED = "forged.link"


class Row(NamedTuple):
    operation: str  # as the OpenAPI document names it
    path: str  # with the world's ids filled in (see _ids)
    body: dict[str, Any] | None
    expected: tuple[int, int, int, int, int]  # per ROLES


PLAN = "/v1/plans/{plan_id}"

# fmt: off
MATRIX = [
    # Row(operation, path, body,                                                               (anonymous, partner, stranger, link holder, operator))
    Row("GET /healthz", "/healthz", None,                                                                                 (200, 200, 200, 200, 200)),
    Row("GET /readyz", "/readyz", None,                                                                                   (200, 200, 200, 200, 200)),
    Row("POST /v1/participants", "/v1/participants", {"display_name": "Ren"},                                             (201, 201, 201, 201, 201)),
    Row("GET /v1/participants/me", "/v1/participants/me", None,                                                           (401, 200, 200, 401, 403)),
    Row("PUT /v1/participants/me/channels", "/v1/participants/me/channels", {"channels": [{"kind": "email", "address": "me@example.org"}]},
                                                                                                                          (401, 200, 200, 401, 403)),
    Row("GET /v1/participants/me/tokens", "/v1/participants/me/tokens", None,                                             (401, 200, 200, 401, 403)),
    Row("POST /v1/participants/me/tokens", "/v1/participants/me/tokens", None,                                            (401, 201, 201, 401, 403)),
    # Alex's spare token: Kim holds no such token.
    Row("DELETE /v1/participants/me/tokens/{token_id}", "/v1/participants/me/tokens/{spare_token_id}", None,               (401, 200, 404, 401, 403)),
    Row("DELETE /v1/participants/me/tokens", "/v1/participants/me/tokens", None,                                          (401, 200, 200, 401, 403)),
    Row("GET /v1/participants/me/do-not-involve", "/v1/participants/me/do-not-involve", None,                             (401, 200, 200, 401, 403)),
    Row("POST /v1/participants/me/do-not-involve", "/v1/participants/me/do-not-involve", {"kind": "email", "address": "ex@example.org", "reason": "mine"},
                                                                                                                          (401, 201, 201, 401, 403)),
    # An entry on Alex's list: only Alex can take it off; to anyone else it is not there.
    Row("DELETE /v1/participants/me/do-not-involve/{entry_id}", "/v1/participants/me/do-not-involve/{entry_id}", None,  (401, 200, 404, 401, 403)),
    # Each caller's own: an operator has `tandem disclosures` instead.
    Row("GET /v1/participants/me/disclosures", "/v1/participants/me/disclosures", None,                                   (401, 200, 200, 401, 403)),
    Row("GET /v1/participants/me/export", "/v1/participants/me/export", None,                                             (401, 200, 200, 401, 403)),
    Row("POST /v1/plans", "/v1/plans", {"title": "Another"},                                                              (401, 201, 201, 401, 403)),
    Row(f"GET {PLAN}", f"{PLAN}", None,                                                                                   (401, 200, 403, 401, 200)),
    Row(f"GET {PLAN}/events", f"{PLAN}/events", None,                                                                     (401, 200, 403, 401, 200)),
    Row(f"GET {PLAN}/operator-reads", f"{PLAN}/operator-reads", None,                                                     (401, 200, 403, 401, 403)),
    Row("GET /v1/operator/reads", "/v1/operator/reads", None,                                                             (401, 403, 403, 401, 200)),
    Row(f"GET {PLAN}/activations/{{activation_id}}", f"{PLAN}/activations/{{activation_id}}", None,                        (401, 200, 403, 401, 200)),
    Row(f"POST {PLAN}/partner-invites", "/v1/plans/{lone_plan_id}/partner-invites", None,                                 (401, 201, 403, 401, 403)),
    # Alex made the plan of this code: already a partner of it (a rule, not a refusal). Kim joins.
    Row("POST /v1/partner-invites/{code}/accept", "/v1/partner-invites/{code}/accept", None,                              (401, 409, 200, 401, 403)),
    Row(f"POST {PLAN}/warning-signs", f"{PLAN}/warning-signs", {"category": "sleep", "description": "naps"},              (401, 201, 403, 401, 403)),
    Row(f"PATCH {PLAN}/warning-signs/{{sign_id}}", f"{PLAN}/warning-signs/{{sign_id}}", {"description": "up past one"},   (401, 200, 403, 401, 403)),
    Row(f"DELETE {PLAN}/warning-signs/{{sign_id}}", f"{PLAN}/warning-signs/{{retired_sign_id}}", None,                    (401, 200, 403, 401, 403)),
    Row(f"POST {PLAN}/response-steps", f"{PLAN}/response-steps", {"level": "crisis", "description": "call Jo"},           (401, 201, 403, 401, 403)),
    Row(f"PATCH {PLAN}/response-steps/{{step_id}}", f"{PLAN}/response-steps/{{step_id}}", {"description": "text first"},   (401, 200, 403, 401, 403)),
    Row(f"DELETE {PLAN}/response-steps/{{step_id}}", f"{PLAN}/response-steps/{{removed_step_id}}", None,                  (401, 200, 403, 401, 403)),
    Row(f"POST {PLAN}/check-ins", f"{PLAN}/check-ins", {"mood": 3, "craving": 2},                                         (401, 201, 403, 401, 403)),
    Row(f"POST {PLAN}/supports", f"{PLAN}/supports", {"display_name": "Noa", "relationship": "friend", "channels": [{"kind": "email", "address": "noa@example.org"}]},
                                                                                                                          (401, 201, 403, 401, 403)),
    # Max's request is still open, so the partner who may ask again is told so (409).
    Row(f"POST {PLAN}/supports/{{contact_id}}/consent-requests", f"{PLAN}/supports/{{asked_contact_id}}/consent-requests", None,
                                                                                                                          (401, 409, 403, 401, 403)),
    Row(f"PUT {PLAN}/supports/{{contact_id}}/disclosure", f"{PLAN}/supports/{{contact_id}}/disclosure", {"alert": True},
                                                                                                                          (401, 200, 403, 401, 403)),
    Row(f"DELETE {PLAN}/supports/{{contact_id}}", f"{PLAN}/supports/{{removable_contact_id}}", None,                      (401, 200, 403, 401, 403)),
    Row(f"PUT {PLAN}/escalation", f"{PLAN}/escalation", {"level": "crisis", "tiers": [{"contact_ids": ["{contact_id}"], "ack_timeout_seconds": 300}]},
                                                                                                                          (401, 200, 403, 401, 403)),
    Row(f"POST {PLAN}/activations", f"{PLAN}/activations", {"level": "crisis"},                                           (401, 201, 403, 401, 403)),
    Row(f"POST {PLAN}/activations/{{activation_id}}/acknowledge", f"{PLAN}/activations/{{activation_id}}/acknowledge", None,
                                                                                                                          (401, 200, 403, 401, 403)),
    Row("POST /v1/acks/{token}", "/v1/acks/{ack_token}", None,                                                            (404, 404, 404, 200, 404)),
    Row(f"POST {PLAN}/activations/{{activation_id}}/resolve", f"{PLAN}/activations/{{activation_id}}/resolve", {"outcome": "resolved"},
                                                                                                                          (401, 200, 403, 401, 403)),
    Row("GET /v1/consents/{token}", "/v1/consents/{consent_token}", None,                                                 (404, 404, 404, 200, 404)),
    Row("POST /v1/consents/{token}", "/v1/consents/{consent_token}", {"decision": "accept"},                              (404, 404, 404, 200, 404)),
    Row("POST /v1/consents/{token}/withdraw", "/v1/consents/{consent_token}/withdraw", None,                              (404, 404, 404, 200, 404)),
    # Requests for help are open on Alex's plan: erasing a contact waits until they are resolved.
    Row(f"POST {PLAN}/supports/{{contact_id}}/erasure", f"{PLAN}/supports/{{removable_contact_id}}/erasure", {"confirm": "erase"},
                                                                                                                          (401, 409, 403, 401, 403)),
    # Last: it erases the caller. Alex's plan has a request for help open (409); Kim's none.
    Row("DELETE /v1/participants/me", "/v1/participants/me", {"confirm": "erase"},                                        (401, 409, 204, 401, 403)),
]
# fmt: on


def test_the_matrix_covers_every_operation_once() -> None:
    assert sorted(row.operation for row in MATRIX) == sorted(OPERATIONS)


def _ids(world: World, *, holds_links: bool) -> dict[str, str]:
    return {
        "plan_id": world.plan.plan_id,
        "lone_plan_id": world.lone_plan_id,
        "code": world.invite_code,
        "sign_id": world.sign_ids[0],
        "retired_sign_id": world.sign_ids[1],
        "step_id": world.step_ids[0],
        "removed_step_id": world.step_ids[1],
        "contact_id": world.contact_id,
        "removable_contact_id": world.removable_contact_id,
        "asked_contact_id": world.asked_contact_id,
        "activation_id": world.activation_id,
        "entry_id": world.do_not_involve_entry_id,
        "consent_token": world.consent_token if holds_links else FORGED,
        "ack_token": world.ack_token if holds_links else FORGED,
        "spare_token_id": world.spare_token_id,
    }


def _headers(world: World, role: str) -> dict[str, str]:
    bearer = {
        "anonymous": None,
        "partner": world.partner.token,
        "stranger": world.stranger.token,
        "link holder": world.consent_token,
        "operator": world.operator_token,
    }[role]
    return {} if bearer is None else {"Authorization": f"Bearer {bearer}"}


def _filled(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, list):
        return [_filled(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: _filled(item, ids) for key, item in value.items()}
    return value


@pytest.mark.parametrize("role", ROLES)
async def test_every_operation_answers_each_caller_as_the_matrix_says(
    client: AsyncTestClient[Any], db_pool: asyncpg.Pool, settings: Settings, role: str
) -> None:
    world = await build(client, db_pool, settings)
    ids = _ids(world, holds_links=role == "link holder")
    column = ROLES.index(role)
    wrong = []
    for row in MATRIX:
        method = row.operation.split(" ", 1)[0]
        answer = await client.request(
            method,
            row.path.format(**ids),
            json=_filled(row.body, ids),
            headers=_headers(world, role),
        )
        if answer.status_code != row.expected[column]:
            wrong.append(f"{row.operation}: {answer.status_code}, not {row.expected[column]}")
        if answer.status_code >= 400:
            assert answer.headers["content-type"].startswith("application/problem+json")
    assert not wrong, f"as {role}:\n" + "\n".join(wrong)
