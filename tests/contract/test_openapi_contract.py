"""Schemathesis over the whole OpenAPI document, against a live planner over real HTTP.

Every operation gets generated calls, valid and invalid, with a partner's token where it
takes one; most path ids are aimed at things that exist in a world built through the API,
so authorized paths run, not only 404s. Each answer must be one the document describes:
no server error, no status or content type it does not list, a body that matches its
schema, and the headers it promises.

The document is the one ``create_app`` makes (the same object the app serves, as the first
test shows), loaded when the module is: schemathesis' fixture-based loader does not run
under pytest 9.
"""

from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import msgspec
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from planner.api.app import create_app
from planner.settings import Settings
from tests.contract.conftest import LivePlanner
from tests.support.world import World

pytestmark = pytest.mark.integration

EXAMPLES_PER_OPERATION = 12
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
)
CONFIG = {
    "seed": 14,
    "generation": {"mode": "all", "max-examples": EXAMPLES_PER_OPERATION, "database": "none"},
    "phases": {"stateful": {"enabled": False}},
    "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
}

_APP = create_app(Settings(home=Path("/nonexistent"), database_url="postgresql://unused/none"))
DOCUMENT = msgspec.json.decode(msgspec.json.encode(_APP.openapi_schema.to_schema()))  # as JSON
schema = schemathesis.openapi.from_dict(DOCUMENT, config=schemathesis.Config.from_dict(CONFIG))


async def test_the_document_tested_is_the_one_served(live_planner: LivePlanner) -> None:
    async with httpx.AsyncClient(base_url=live_planner.base_url) as client:
        served = await client.get("/docs/openapi.json")
    assert served.status_code == 200
    assert served.json() == DOCUMENT


@schema.parametrize()
@settings(deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_every_answer_is_one_the_document_describes(
    case: schemathesis.Case, live_planner: LivePlanner
) -> None:
    _aim(case, live_planner.world)
    headers = {}
    if case.operation.definition.raw.get("security"):
        headers["Authorization"] = f"Bearer {live_planner.world.partner.token}"
    case.call_and_validate(base_url=live_planner.base_url, headers=headers)


def _aim(case: schemathesis.Case, world: World) -> None:
    """Point three in four well-formed path ids at things that exist in the world."""
    real = {
        "plan_id": world.plan.plan_id,
        "sign_id": world.sign_ids[0],
        "step_id": world.step_ids[0],
        "contact_id": world.removable_contact_id,
        "activation_id": world.activation_id,
        "code": world.invite_code,
        "token": world.ack_token if "/acks/" in case.operation.path else world.consent_token,
    }
    for name, value in (case.path_parameters or {}).items():
        if name in real and _aimed(name, value):
            case.path_parameters[name] = real[name]


def _aimed(name: str, value: Any) -> bool:
    """Three in four, chosen by the value (so a shrunk example stays aimed or not)."""
    if not isinstance(value, str):
        return False
    if name in {"token", "code"}:
        return len(value) % 4 != 0
    try:
        return UUID(value).int % 4 != 0
    except ValueError:
        return False  # a malformed id stays malformed: its 422 is checked too
