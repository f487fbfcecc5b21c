"""Which requests each limit counts, and under which key.

Every limit is one of Litestar's rate limiters (see middleware.py) with a rule: the
requests it looks at (its ``check_throttle_handler``) and the key it counts them under
(its ``identifier_for_request``): the client's address, or a hash of its token.

- ``signups``: ``POST /v1/participants``, per address.
- ``links``: the signed links and codes people are sent (``LINK_PREFIXES``), per address
  and, when the request also carries a bearer token (accepting an invite), per token.
- ``token`` and ``address``: every ``/v1`` request carrying credentials (every
  authenticated route), per token and per address.
- ``failures``: per address, the requests with credentials or a link that fail to prove
  anything (a 401, or a 404 on a link: a wrong guess); past the limit, every request from
  that address with credentials or a link is refused, a right guess included, so guessing
  learns nothing.

Pages that take links (the HTML pages at ``/consent/{token}`` and ``/ack/{token}``) are
counted as links by their prefix; a new kind of link is throttled by adding its prefix.
"""

import hashlib
from typing import Any

from litestar import Request

LINK_PREFIXES = (
    "/v1/consents/",
    "/v1/acks/",
    "/v1/partner-invites/",
    "/consent/",
    "/ack/",
)
SIGNUP_PATH = "/v1/participants"
API_PREFIX = "/v1/"  # a token sent elsewhere (health, metrics, docs) proves nothing
UNAUTHORIZED = 401
NOT_FOUND = 404

AnyRequest = Request[Any, Any, Any]


def address(request: AnyRequest) -> str:
    """The client's address as the server saw it (behind a proxy: see the README)."""
    return request.client.host if request.client else "unknown"


def credentials(request: AnyRequest) -> str | None:
    """The Authorization header, whatever its scheme: wrong ones are guesses too."""
    return request.headers.get("authorization") or None


def token_hash(request: AnyRequest) -> str:
    """A key for the caller's token that does not reveal it: the store is a table."""
    digest = hashlib.sha256(b"tandem-throttle\x00" + (credentials(request) or "").encode())
    return digest.hexdigest()[:32]


def is_signup(request: AnyRequest) -> bool:
    return request.method == "POST" and request.scope["path"] == SIGNUP_PATH


def is_link(request: AnyRequest) -> bool:
    return request.scope["path"].startswith(LINK_PREFIXES)


def has_credentials(request: AnyRequest) -> bool:
    return request.scope["path"].startswith(API_PREFIX) and credentials(request) is not None


def is_link_with_credentials(request: AnyRequest) -> bool:
    return is_link(request) and has_credentials(request)


def proves_something(request: AnyRequest) -> bool:
    """What the failures limit guards: a request with credentials or a link."""
    return has_credentials(request) or is_link(request)


def failed(request: AnyRequest, status: int) -> bool:
    """A wrong or missing token, or a link or code that does not exist: a failed guess."""
    return status == UNAUTHORIZED or (status == NOT_FOUND and is_link(request))
