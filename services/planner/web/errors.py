"""Errors on pages: the problem in plain words, inside the page layout.

The JSON API answers RFC 9457 problem details (``api.problems``); a page answers the same
status with a page that says what went wrong and what to do, never a stack trace or JSON.
"""

from typing import Any

from litestar import Request, Response
from litestar.response import Template

Req = Request[Any, Any, Any]

# status → (heading, what to do)
PLAIN_WORDS: dict[int, tuple[str, str]] = {
    400: ("That did not work", "Please go back and try again."),
    401: ("Please sign in", "Sign in first, then try again."),
    403: ("This is not open to you", "If you think it should be, sign in with your account."),
    404: (
        "This page or link is not valid",
        "The link may be mistyped, replaced by a newer one, or no longer in use.",
    ),
    405: ("That did not work", "Please use the buttons on the page."),
    409: ("That could not be done now", "The plan may have changed: reload and look again."),
    410: ("This link has closed", "Ask for a new one if you still need it."),
    412: ("The plan changed meanwhile", "Reload the page and try again."),
    413: ("That was too long", "Please shorten what you wrote and try again."),
    422: ("Please check what you entered", "Go back, correct it and send it again."),
    429: ("Too many tries", "Please wait a moment, then try again."),
}
SERVER_TROUBLE = (
    "Something went wrong on our side",
    "It has been logged. Please try again in a moment.",
)
CSRF_REFUSED = (
    "This form has expired",
    "It was open too long or came from another site. Reload the page and send it again.",
)


def error_page(request: Req, status: int, detail: str) -> Response[Any]:
    """The page for an error of ``status``; ``detail`` is shown below 500 only."""
    heading, advice = PLAIN_WORDS.get(status, SERVER_TROUBLE)
    if status >= 500:  # noqa: PLR2004
        detail = ""  # nothing of the internals
    if status == 403 and "csrf" in detail.lower():  # noqa: PLR2004
        heading, advice, detail = (*CSRF_REFUSED, "")
    return Template(
        template_name="error.html",
        context={"request": request, "heading": heading, "advice": advice, "detail": detail},
        status_code=status,
    )
