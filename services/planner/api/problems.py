"""One table: exception type → status, type URI and title, as RFC 9457 problem details.

Registered through Litestar's ProblemDetailsPlugin. Anything not in the table is a 500
whose body says nothing about internals; the exception goes to the log.
"""

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsException

from common.capabilities import ExpiredCapability, InvalidCapability
from planner.api.errors import (
    BadHeader,
    BadParameter,
    BodyTooDeep,
    Forbidden,
    ForbiddenText,
    ResourceNotFound,
    Unauthorized,
)
from planner.domain.errors import (
    ConsentRequestClosed,
    InvalidCommand,
    NotAPartner,
    NotARecipient,
    NotFound,
    PlanAlreadyExists,
    PlanNotFound,
    RuleViolated,
)
from planner.erasure.remnants import UnknownPerson
from planner.handlers.results import ConcurrencyConflict, PreconditionFailed
from planner.store.event_store import EventIdConflict
from planner.store.idempotency import IdempotencyKeyReused
from planner.store.outages import is_outage, outage_in
from planner.web.errors import error_page
from planner.web.security import is_page

log = structlog.stdlib.get_logger("planner.api")

TYPE_BASE = "https://tandem.example/problems/"
RETRY_AFTER_SECONDS = 5  # a restarted PostgreSQL takes seconds; a client need not hammer it

# exception type → (status, slug, title). Order matters only for subclasses listed first.
PROBLEMS: dict[type[Exception], tuple[int, str, str]] = {
    BodyTooDeep: (400, "too-deep", "The JSON body is nested too deeply"),
    Unauthorized: (401, "unauthorized", "Missing or invalid bearer token"),
    Forbidden: (403, "forbidden", "Not allowed"),
    NotAPartner: (403, "not-a-partner", "Only the plan's partners may do this"),
    NotARecipient: (403, "not-a-recipient", "Only a recipient may acknowledge"),
    ResourceNotFound: (404, "not-found", "Not found"),
    PlanNotFound: (404, "plan-not-found", "Plan not found"),
    NotFound: (404, "not-found", "Not found"),
    UnknownPerson: (404, "not-found", "Not found"),  # erased already, a moment ago
    ExpiredCapability: (410, "link-expired", "This link has expired"),
    InvalidCapability: (404, "invalid-link", "This link is not valid"),
    PlanAlreadyExists: (409, "plan-exists", "Plan already exists"),
    RuleViolated: (409, "rule-violated", "The plan's current state does not allow this"),
    ConcurrencyConflict: (409, "concurrent-change", "The plan changed concurrently"),
    EventIdConflict: (409, "event-id-conflict", "Event id reused with other content"),
    ConsentRequestClosed: (410, "consent-request-closed", "This consent link is closed"),
    PreconditionFailed: (412, "precondition-failed", "The plan is not at the If-Match version"),
    InvalidCommand: (422, "invalid-command", "The request cannot be applied"),
    IdempotencyKeyReused: (
        422,
        "idempotency-key-reused",
        "This Idempotency-Key was used for a different request",
    ),
    BadHeader: (422, "bad-header", "A request header is malformed"),
    BadParameter: (422, "bad-parameter", "A query parameter is out of range"),
    ForbiddenText: (422, "forbidden-text", "Text holds a character that cannot be stored"),
}


class Problem(ProblemDetailsException):
    """Problem details for programs; on a page, the same problem in plain words."""

    def to_response(self, request: Request[Any, Any, Any]) -> Response[Any]:
        if is_page(request.url.path):
            return error_page(request, self.status_code, self.detail)
        return super().to_response(request)


def _extra(exc: Exception) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if isinstance(exc, RuleViolated):
        extra["rule"] = exc.rule
    if isinstance(exc, InvalidCommand):
        extra["field"] = exc.field
    if isinstance(exc, ConsentRequestClosed):
        extra["reason"] = exc.reason
    if isinstance(exc, PreconditionFailed):
        extra["current_version"] = exc.actual
    if isinstance(exc, ForbiddenText):  # the shape of every other invalid field's answer
        extra["errors"] = [{"message": str(exc), "key": exc.field, "source": "body"}]
    return extra


def _converter(
    status: int, slug: str, title: str
) -> Callable[[Exception], ProblemDetailsException]:
    def convert(exc: Exception) -> ProblemDetailsException:
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None  # noqa: PLR2004
        return Problem(
            status_code=status,
            type_=TYPE_BASE + slug,
            title=title,
            detail=str(exc) or title,
            extra=_extra(exc) or None,
            headers=headers,
        )

    return convert


def _validation(exc: ValidationException) -> ProblemDetailsException:
    """Litestar answers 400 for a body or parameter that fails validation; we say 422."""
    return Problem(
        status_code=422,
        type_=TYPE_BASE + "validation",
        title="The request is not valid",
        detail=str(exc.detail),
        extra={"errors": exc.extra} if exc.extra else None,
    )


def _http(exc: HTTPException) -> ProblemDetailsException:
    """Litestar's own refusals (no such route or method, a body too large or not JSON)."""
    slug = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "-")
    return Problem(
        status_code=exc.status_code,
        type_=TYPE_BASE + slug,
        title=exc.detail,
        detail=exc.detail,
        headers=exc.headers,
    )


def config() -> ProblemDetailsConfig:
    mapping: dict[type[Exception], Callable[[Any], ProblemDetailsException]] = {
        exc_type: _converter(*problem) for exc_type, problem in PROBLEMS.items()
    }
    mapping[ValidationException] = _validation
    mapping[HTTPException] = _http
    return ProblemDetailsConfig(exception_to_problem_detail_map=mapping)


def internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """The last resort: log the exception, show nothing of it (503 if a server is down)."""
    if is_outage(exc):
        return unavailable(request, exc)
    # The path is not logged: capability links carry their token in it.
    log.error("api.unhandled_error", method=request.method, exc_info=exc)
    return Problem(
        status_code=500,
        type_=TYPE_BASE + "internal",
        title="Internal Server Error",
        detail="Something went wrong on our side. It has been logged.",
    ).to_response(request)


def unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """The database (or NATS) cannot be reached: 503, and when to try again."""
    cause = outage_in(exc) or exc
    log.warning("api.dependency_unavailable", method=request.method, error=type(cause).__name__)
    return ProblemDetailsException(
        status_code=503,
        type_=TYPE_BASE + "unavailable",
        title="Service Unavailable",
        detail="A server this API needs cannot be reached right now. Try again shortly; "
        "a command repeated with the same Idempotency-Key is applied at most once.",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    ).to_response(request)


def answer_outside_routes(request: Request[Any, Any, Any], exc: Exception) -> Response[Any] | None:
    """The answer to an error a middleware raises before the route runs (a 429 from a rate
    limiter, an outage of its store), so that the middlewares around it (correlation id,
    metrics) see a response; None for an error that is not ours to answer there."""
    if isinstance(exc, HTTPException):
        return _http(exc).to_response(request)
    if is_outage(exc):
        return unavailable(request, exc)
    return None
