"""The pieces the OpenAPI document is completed with (see openapi.py): problem bodies,
the request headers of plan commands, and the ETag they answer with."""

from http import HTTPStatus

from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Parameter,
    Reference,
    Schema,
)

from planner.api.commands import MAX_KEY_LENGTH

PROBLEM_JSON = "application/problem+json"

_TEXT = Schema(type=OpenAPIType.STRING)

PROBLEM = Schema(
    type=OpenAPIType.OBJECT,
    title="Problem",
    description="An RFC 9457 problem details body: every error this API answers.",
    required=["type", "title", "status", "detail"],
    properties={
        "type": Schema(
            type=OpenAPIType.STRING,
            format=OpenAPIFormat.URI,
            description="What kind of problem: stable, for programs to branch on.",
        ),
        "title": _TEXT,
        "status": Schema(type=OpenAPIType.INTEGER, minimum=400, maximum=599),
        "detail": _TEXT,
        "errors": Schema(
            type=OpenAPIType.ARRAY,
            description="422: each field, parameter or header that is not valid.",
            items=Schema(
                type=OpenAPIType.OBJECT,
                required=["message"],
                properties={"message": _TEXT, "key": _TEXT, "source": _TEXT},
            ),
        ),
        "field": Schema(type=OpenAPIType.STRING, description="422: the field a command refused."),
        "rule": Schema(type=OpenAPIType.STRING, description="409: the plan's rule that refused."),
        "current_version": Schema(
            type=OpenAPIType.INTEGER, description="412: the plan's version now."
        ),
    },
)

MEANINGS = {
    400: "The request is malformed: an invalid Host header, or a body that is not JSON or "
    "is nested too deeply.",
    401: "No bearer token, or one that is not known.",
    403: "The caller may not do this: not a partner of this plan, an operator changing "
    "something, or a link for someone who is not a recipient.",
    404: "No such plan, item, invite or link (or one the caller may not know of).",
    409: "The plan's rules do not allow this now, or the plan kept changing concurrently.",
    412: "If-Match does not name the plan's current version.",
    413: "The body is larger than any request of this API (64 KiB).",
    422: "A field, parameter or header is not valid (text may not hold U+0000).",
    429: "Too many requests from this address or token, or too many failed guesses (wrong "
    "tokens, unknown links): try again after Retry-After seconds.",
    503: "A server the API needs cannot be reached now: try again after Retry-After seconds "
    "(/readyz: not ready, the checks say which dependency).",
}

RETRY_AFTER = OpenAPIHeader(
    schema=Schema(type=OpenAPIType.INTEGER, minimum=1),
    description="Seconds to wait before trying again.",
    required=True,
)

ETAG = OpenAPIHeader(
    schema=Schema(type=OpenAPIType.STRING, pattern=r'^"\d+"$'),
    description='The plan\'s version as an entity tag, e.g. "7": send it as If-Match.',
    required=True,
)

IF_MATCH = Parameter(
    name="If-Match",
    param_in="header",
    required=False,
    schema=Schema(type=OpenAPIType.STRING, pattern=r'^\s*(W/)?"?\d{1,10}"?\s*$'),
    description="Change the plan only if it is still at this version (its ETag); 412 if not.",
)

IDEMPOTENCY_KEY = Parameter(
    name="Idempotency-Key",
    param_in="header",
    required=False,
    schema=Schema(type=OpenAPIType.STRING, min_length=1, max_length=MAX_KEY_LENGTH),
    description="Printable characters naming this request: a repeat gets the first answer "
    "again; the same key with another request is a 422.",
)

IF_NONE_MATCH = Parameter(
    name="If-None-Match",
    param_in="header",
    required=False,
    schema=_TEXT,
    description="The ETag the caller has: 304 with no body while the plan is still at it.",
)

_PARSED = {OpenAPIType.INTEGER, OpenAPIType.NUMBER, OpenAPIType.BOOLEAN}


def problem(status: int) -> OpenAPIResponse:
    """An error answer: problem details; the bearer challenge with a 401, and when to try
    again with a 429 or 503."""
    headers: dict[str, OpenAPIHeader | Reference] | None = None
    if status == HTTPStatus.UNAUTHORIZED:
        challenge = OpenAPIHeader(schema=_TEXT, description="Bearer", required=True)
        headers = {"WWW-Authenticate": challenge}
    if status in {HTTPStatus.TOO_MANY_REQUESTS, HTTPStatus.SERVICE_UNAVAILABLE}:
        headers = {"Retry-After": RETRY_AFTER}
    return OpenAPIResponse(
        description=MEANINGS.get(status) or HTTPStatus(status).phrase,
        headers=headers,
        content={PROBLEM_JSON: OpenAPIMediaType(schema=Reference("#/components/schemas/Problem"))},
    )


def not_modified() -> OpenAPIResponse:
    return OpenAPIResponse(
        description="The plan is still at the If-None-Match version: no body.",
        headers={"ETag": ETAG},
    )


def also(status: int, success: OpenAPIResponse | Reference) -> OpenAPIResponse:
    """``status`` answered with the success answer's body."""
    content = success.content if isinstance(success, OpenAPIResponse) else None
    return OpenAPIResponse(
        description=MEANINGS.get(status) or HTTPStatus(status).phrase, content=content
    )


def is_parsed(parameter: Parameter | Reference) -> bool:
    """Whether a parameter is parsed into more than text, so a malformed one is a 422."""
    if not isinstance(parameter, Parameter) or not isinstance(parameter.schema, Schema):
        return False
    schema = parameter.schema
    return bool(schema.format) or schema.type in _PARSED or schema.one_of is not None
