"""The OpenAPI document tells the truth: statuses, problem bodies, tokens, headers, closed bodies.

Litestar writes each operation from its handler: the success answer, the parameters and the
bodies. What a handler does not show is written here, in one place, as the document is made:

- who may call each operation (``OPERATIONS``): a partner's token, an operator's too (reads),
  a signed link in the path (the link is the capability), or anyone;
- every error status it answers, each an RFC 9457 ``application/problem+json`` body: 400
  for a malformed request (any operation: Litestar refuses an invalid Host header before
  routing), 429 and 503 (with ``Retry-After``) for every ``/v1`` operation (throttled;
  the database unreachable), those of its access and of the table, 413/422 where it reads
  a JSON body, and 422 where it parses a parameter (Litestar's own 400 entry, in a shape
  never sent, goes);
- a plan command takes ``If-Match`` and ``Idempotency-Key`` and answers with an ``ETag``;
- request bodies refuse unknown fields, so their objects say ``additionalProperties: false``.

An operation missing from the table stops the document from being made, so a new route is
described before it is served (tests/unit/test_openapi_document.py shows the document).
"""

from dataclasses import fields
from typing import Any, NamedTuple

from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import (
    Components,
    OpenAPI,
    OpenAPIResponse,
    Operation,
    Parameter,
    Reference,
    Schema,
    SecurityRequirement,
    SecurityScheme,
)

from planner.api import openapi_parts as parts
from planner.api.schemas import Request

# The names of the two bearer schemes in the document (names, not secrets).
PARTNER_TOKEN = "partnerToken"  # noqa: S105
OPERATOR_TOKEN = "operatorToken"  # noqa: S105
METHODS = ("get", "put", "post", "delete", "patch")


class Access(NamedTuple):
    """Who may call an operation, and the statuses that answer everyone else."""

    security: list[SecurityRequirement]
    errors: frozenset[int]


ANYONE = Access([], frozenset())
LINK = Access([], frozenset({404}))  # a forged link, or one no longer open: 404 (expired: 410)
PARTICIPANT = Access([{PARTNER_TOKEN: []}], frozenset({401, 403}))  # an operator's token: 403
PARTNER = Access([{PARTNER_TOKEN: []}], frozenset({401, 403, 404}))  # of the plan in the path
OPERATOR = Access([{OPERATOR_TOKEN: []}], frozenset({401, 403}))  # a partner's token: 403
READER = Access([{PARTNER_TOKEN: []}, {OPERATOR_TOKEN: []}], frozenset({401, 403, 404}))


class Described(NamedTuple):
    """What the handler does not show about one operation."""

    access: Access
    command: bool = False  # a plan command: If-Match, Idempotency-Key, ETag; 409, 412, 422
    errors: frozenset[int] = frozenset()  # statuses of this operation alone
    cached: bool = False  # an ETag on the answer, 304 for a matching If-None-Match
    also: tuple[int, ...] = ()  # other statuses answered with the success body


PLAN = "/v1/plans/{plan_id}"
PARTNER_COMMAND = Described(PARTNER, command=True)  # most of a plan's operations
OPERATIONS: dict[str, Described] = {
    "GET /healthz": Described(ANYONE),
    "GET /readyz": Described(ANYONE, also=(503,)),
    "POST /v1/participants": Described(ANYONE),
    "GET /v1/participants/me": Described(PARTICIPANT),
    "PUT /v1/participants/me/channels": Described(PARTICIPANT),
    "GET /v1/participants/me/tokens": Described(PARTICIPANT),
    "POST /v1/participants/me/tokens": Described(PARTICIPANT),
    "DELETE /v1/participants/me/tokens": Described(PARTICIPANT),
    # A token the caller does not hold (or no longer holds): 404.
    "DELETE /v1/participants/me/tokens/{token_id}": Described(PARTICIPANT, errors=frozenset({404})),
    "GET /v1/participants/me/do-not-involve": Described(PARTICIPANT),
    "POST /v1/participants/me/do-not-involve": Described(PARTICIPANT),
    "DELETE /v1/participants/me/do-not-involve/{entry_id}": Described(
        PARTICIPANT, errors=frozenset({404})
    ),
    "GET /v1/participants/me/disclosures": Described(PARTICIPANT),
    "GET /v1/participants/me/export": Described(PARTICIPANT),
    # A request for help still open on one of their plans: 409.
    "DELETE /v1/participants/me": Described(PARTICIPANT, errors=frozenset({409})),
    "POST /v1/plans": Described(PARTICIPANT, command=True),
    f"GET {PLAN}": Described(READER, cached=True),
    f"GET {PLAN}/events": Described(READER),
    f"GET {PLAN}/operator-reads": Described(PARTNER),
    "GET /v1/operator/reads": Described(OPERATOR),
    f"POST {PLAN}/partner-invites": PARTNER_COMMAND,
    "POST /v1/partner-invites/{code}/accept": Described(
        PARTICIPANT, command=True, errors=frozenset({404})
    ),
    f"POST {PLAN}/warning-signs": PARTNER_COMMAND,
    f"PATCH {PLAN}/warning-signs/{{sign_id}}": PARTNER_COMMAND,
    f"DELETE {PLAN}/warning-signs/{{sign_id}}": PARTNER_COMMAND,
    f"POST {PLAN}/response-steps": PARTNER_COMMAND,
    f"PATCH {PLAN}/response-steps/{{step_id}}": PARTNER_COMMAND,
    f"DELETE {PLAN}/response-steps/{{step_id}}": PARTNER_COMMAND,
    f"POST {PLAN}/check-ins": PARTNER_COMMAND,
    f"POST {PLAN}/supports": PARTNER_COMMAND,
    f"DELETE {PLAN}/supports/{{contact_id}}": PARTNER_COMMAND,
    f"POST {PLAN}/supports/{{contact_id}}/consent-requests": PARTNER_COMMAND,
    f"PUT {PLAN}/supports/{{contact_id}}/disclosure": PARTNER_COMMAND,
    f"PUT {PLAN}/escalation": PARTNER_COMMAND,
    # A request for help still open on the plan: 409; a bad confirmation: 422.
    f"POST {PLAN}/supports/{{contact_id}}/erasure": Described(PARTNER, errors=frozenset({409})),
    # A consent link that expired, or that a newer request replaced: 410.
    "GET /v1/consents/{token}": Described(LINK, errors=frozenset({410})),
    "POST /v1/consents/{token}": Described(LINK, command=True, errors=frozenset({410})),
    "POST /v1/consents/{token}/withdraw": Described(LINK, command=True, errors=frozenset({410})),
    f"POST {PLAN}/activations": PARTNER_COMMAND,
    f"GET {PLAN}/activations/{{activation_id}}": Described(READER),
    f"POST {PLAN}/activations/{{activation_id}}/acknowledge": PARTNER_COMMAND,
    f"POST {PLAN}/activations/{{activation_id}}/resolve": PARTNER_COMMAND,
    # A link whose holder is not among the activation's recipients: 403.
    "POST /v1/acks/{token}": Described(LINK, command=True, errors=frozenset({403, 410})),
}

ANY_ERRORS = frozenset({400})  # a malformed request: its Host header (refused before routing)
# Every /v1 operation: throttled (api/throttling: a request with a token or a link is
# counted), and needing the database, which may be unreachable for a while.
API_PREFIX = "/v1/"
API_ERRORS = frozenset({429, 503})
BODY_ERRORS = frozenset({400, 413, 422})  # not JSON or too deep; too large; not valid
COMMAND_ERRORS = frozenset({409, 412, 422})  # a rule or a concurrent change; If-Match; a header


def config(**options: Any) -> OpenAPIConfig:
    """Litestar's OpenAPI settings, with the two bearer schemes and the document made here."""
    return _Config(
        components=Components(
            security_schemes={
                PARTNER_TOKEN: SecurityScheme(
                    type="http",
                    scheme="bearer",
                    description="A participant's token, shown once by `POST /v1/participants`.",
                ),
                OPERATOR_TOKEN: SecurityScheme(
                    type="http",
                    scheme="bearer",
                    description="An operator's token (`tandem operator-token create`): "
                    "reads any plan's history, changes nothing.",
                ),
            }
        ),
        **options,
    )


class _Config(OpenAPIConfig):
    def to_openapi_schema(self) -> OpenAPI:
        made = super().to_openapi_schema()
        return _Document(**{field.name: getattr(made, field.name) for field in fields(made)})


class _Document(OpenAPI):
    """Litestar's document, completed from the table before it is written out."""

    def to_schema(self) -> dict[str, Any]:
        complete(self)
        return super().to_schema()


def complete(document: OpenAPI) -> None:
    """Describe every operation of ``document`` as ``OPERATIONS`` says (idempotent)."""
    for path, item in (document.paths or {}).items():
        for method in METHODS:
            operation: Operation | None = getattr(item, method)
            if operation is not None:
                _describe(operation, _described(f"{method.upper()} {path}"), path)
    components = document.components
    components.schemas = {**components.schemas, "Problem": parts.PROBLEM}
    for name, schema in components.schemas.items():
        if name in _closed() and isinstance(schema, Schema):
            schema.additional_properties = False


def _described(key: str) -> Described:
    try:
        return OPERATIONS[key]
    except KeyError:
        raise LookupError(f"{key}: add it to planner.api.openapi.OPERATIONS") from None


def _describe(operation: Operation, described: Described, path: str) -> None:
    parameters = list(operation.parameters or [])
    responses = dict(operation.responses or {})
    success = next(status for status in responses if status.startswith("2"))
    errors = set(ANY_ERRORS | described.access.errors | described.errors)
    if path.startswith(API_PREFIX):
        errors |= API_ERRORS
    if operation.request_body is not None:
        errors |= BODY_ERRORS
    if any(parts.is_parsed(parameter) for parameter in parameters):
        errors.add(422)
    if described.command:
        errors |= COMMAND_ERRORS
        parameters += [parts.IF_MATCH, parts.IDEMPOTENCY_KEY]
    if described.cached:
        parameters.append(parts.IF_NONE_MATCH)
        responses["304"] = parts.not_modified()
    if described.command or described.cached:
        _add_etag(responses[success])
    responses.pop("400", None)  # Litestar's, in a shape never sent: ours is added below
    for status in described.also:
        responses[str(status)] = parts.also(status, responses[success])
    responses.update({str(status): parts.problem(status) for status in sorted(errors)})
    operation.responses = dict(sorted(responses.items()))
    operation.parameters = _unique(parameters) or None
    operation.security = described.access.security


def _add_etag(response: OpenAPIResponse | Reference) -> None:
    if isinstance(response, OpenAPIResponse):
        response.headers = {**(response.headers or {}), "ETag": parts.ETAG}


def _unique(parameters: list[Parameter | Reference]) -> list[Parameter | Reference]:
    seen: dict[str, Parameter | Reference] = {}
    for parameter in parameters:
        key = parameter.name if isinstance(parameter, Parameter) else parameter.ref
        seen.setdefault(key, parameter)
    return list(seen.values())


def _closed() -> set[str]:
    """The request bodies' names: each refuses unknown fields (schemas.Request)."""
    found: set[str] = set()
    pending: list[type[Request]] = [Request]
    while pending:
        struct = pending.pop()
        pending.extend(struct.__subclasses__())
        if struct.__struct_config__.forbid_unknown_fields:
            found.add(struct.__name__)
    return found
