"""The OpenAPI document describes the API a generated client meets (no server needed).

Each operation: its security, every error as problem details, the headers it takes and
sends; request bodies closed; every integer a caller sends bounded by its column type.
Schemathesis (tests/contract/) checks the answers against this document.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from planner.api.app import create_app
from planner.api.openapi import OPERATIONS
from planner.api.schemas import INT4_MAX
from planner.settings import Settings

METHODS = ("get", "put", "post", "delete", "patch")
PROBLEM = {"$ref": "#/components/schemas/Problem"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    settings = Settings(home=Path("/nonexistent"), database_url="postgresql://unused/none")
    schema: dict[str, Any] = create_app(settings).openapi_schema.to_schema()
    return schema


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield f"{method.upper()} {path}", item[method]


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        found: dict[str, Any] = document["components"]["schemas"][schema["$ref"].split("/")[-1]]
        return found
    return schema


def _integers(document: dict[str, Any], schema: dict[str, Any], where: str) -> Iterator[Any]:
    """Every integer schema reachable from ``schema``, with where it is."""
    schema = _resolve(document, schema)
    if schema.get("type") == "integer" or "integer" in (schema.get("type") or []):
        yield where, schema
    for name, inner in (schema.get("properties") or {}).items():
        yield from _integers(document, inner, f"{where}.{name}")
    for key in ("items",):
        if key in schema:
            yield from _integers(document, schema[key], f"{where}[]")
    for key in ("oneOf", "anyOf", "allOf"):
        for inner in schema.get(key, []):
            yield from _integers(document, inner, where)


def test_every_operation_is_described_and_every_description_is_an_operation(
    document: dict[str, Any],
) -> None:
    assert {key for key, _ in _operations(document)} == set(OPERATIONS)


def test_every_error_is_problem_details_and_nothing_else(document: dict[str, Any]) -> None:
    for key, operation in _operations(document):
        for status, response in operation["responses"].items():
            if status.startswith("4") or (status.startswith("5") and key != "GET /readyz"):
                assert response["content"] == {"application/problem+json": {"schema": PROBLEM}}, (
                    key,
                    status,
                )


def test_the_problem_schema_is_rfc_9457(document: dict[str, Any]) -> None:
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    assert {"errors", "rule", "field", "current_version"} <= set(problem["properties"])


def test_statuses_are_those_the_api_answers(document: dict[str, Any]) -> None:
    operations = dict(_operations(document))

    def statuses(key: str) -> set[str]:
        return set(operations[key]["responses"])

    assert statuses("POST /v1/participants") == {"201", "400", "413", "422", "429", "503"}
    assert statuses("GET /v1/participants/me") == {"200", "400", "401", "403", "429", "503"}
    assert statuses("GET /v1/plans/{plan_id}") == {
        "200", "304", "400", "401", "403", "404", "422", "429", "503"
    }  # fmt: skip
    assert statuses("POST /v1/plans/{plan_id}/activations") == {
        "201", "400", "401", "403", "404", "409", "412", "413", "422", "429", "503"
    }  # fmt: skip
    assert statuses("POST /v1/acks/{token}") == {
        "200", "400", "403", "404", "409", "410", "412", "422", "429", "503"
    }  # fmt: skip
    assert statuses("GET /v1/consents/{token}") == {"200", "400", "404", "410", "429", "503"}
    assert statuses("GET /healthz") == {"200", "400"}
    assert statuses("GET /readyz") == {"200", "400", "503"}
    assert statuses("DELETE /v1/participants/me/tokens/{token_id}") == {
        "200", "400", "401", "403", "404", "422", "429", "503"
    }  # fmt: skip
    assert statuses("GET /v1/operator/reads") == {
        "200", "400", "401", "403", "422", "429", "503"
    }  # fmt: skip
    assert operations["GET /v1/operator/reads"]["security"] == [{"operatorToken": []}]


def test_throttled_and_unavailable_answers_say_when_to_try_again(
    document: dict[str, Any],
) -> None:
    for key, operation in _operations(document):
        if " /v1/" not in key:
            continue
        for status in ("429", "503"):
            headers = operation["responses"][status]["headers"]
            assert headers["Retry-After"]["required"], (key, status)
            assert headers["Retry-After"]["schema"] == {"type": "integer", "minimum": 1}


def test_tokens_are_bearer_schemes_and_each_operation_names_its_own(
    document: dict[str, Any],
) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["partnerToken"] == schemes["partnerToken"] | {"type": "http", "scheme": "bearer"}
    assert schemes["operatorToken"]["scheme"] == "bearer"
    operations = dict(_operations(document))
    assert operations["POST /v1/participants"]["security"] == []
    assert operations["POST /v1/consents/{token}"]["security"] == []
    assert operations["POST /v1/plans/{plan_id}/warning-signs"]["security"] == [
        {"partnerToken": []}
    ]
    assert operations["GET /v1/plans/{plan_id}/events"]["security"] == [
        {"partnerToken": []},
        {"operatorToken": []},
    ]
    for key, operation in operations.items():
        if "401" in operation["responses"]:
            assert operation["security"], key
            assert operation["responses"]["401"]["headers"]["WWW-Authenticate"]["required"]


def test_commands_take_if_match_and_idempotency_key_and_answer_an_etag(
    document: dict[str, Any],
) -> None:
    for key, operation in _operations(document):
        if not OPERATIONS[key].command:
            continue
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert {"If-Match", "Idempotency-Key"} <= headers, key
        success = next(s for s in operation["responses"] if s.startswith("2"))
        assert operation["responses"][success]["headers"]["ETag"]["required"], key
        assert {"409", "412", "422"} <= set(operation["responses"]), key


def test_a_plan_read_answers_an_etag_and_304(document: dict[str, Any]) -> None:
    read = document["paths"]["/v1/plans/{plan_id}"]["get"]
    assert "If-None-Match" in {p["name"] for p in read["parameters"]}
    assert "ETag" in read["responses"]["200"]["headers"]
    assert "content" not in read["responses"]["304"]


def test_request_bodies_are_closed_objects(document: dict[str, Any]) -> None:
    bodies = [
        _resolve(document, operation["requestBody"]["content"]["application/json"]["schema"])
        for _, operation in _operations(document)
        if "requestBody" in operation
    ]
    assert len(bodies) > 10
    for body in bodies:
        assert body["additionalProperties"] is False, body["title"]
    for nested in ("ChannelIn", "TierIn", "ScopeIn"):
        assert document["components"]["schemas"][nested]["additionalProperties"] is False


def test_every_integer_a_caller_sends_is_bounded_by_its_column(document: dict[str, Any]) -> None:
    found = []
    for key, operation in _operations(document):
        for parameter in operation.get("parameters", []):
            found += _integers(document, parameter["schema"], f"{key} {parameter['name']}")
        if "requestBody" in operation:
            schema = operation["requestBody"]["content"]["application/json"]["schema"]
            found += _integers(document, schema, f"{key} body")
    assert len(found) >= 5  # after, limit, mood, craving, ack_timeout_seconds
    for where, schema in found:
        assert schema.get("minimum", -INT4_MAX - 1) >= -INT4_MAX - 1, where
        assert "maximum" in schema, where
        assert schema["maximum"] <= INT4_MAX, where
