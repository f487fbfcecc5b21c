"""What every page answer carries: a strict Content-Security-Policy and the usual headers,
and the CSRF protection of every form.

The JSON API (``/v1``), the probes and the OpenAPI docs are left as they were: no CSRF
cookie, no CSRF check (bearer tokens are not sent by a browser on its own), and the docs
UI keeps its own assets.
"""

import hashlib
import hmac

from litestar.config.csrf import CSRFConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from planner.settings import Settings

# Paths that are not pages: the JSON API, probes, metrics and the OpenAPI docs.
NOT_PAGES = ("/v1/", "/healthz", "/readyz", "/metrics", "/docs", "/swagger", "/dev/outbox.json")

CSP = (
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; "
    "object-src 'none'"
)
PAGE_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    # Capability links carry their token in the path: never tell another site about it.
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "cross-origin-opener-policy": "same-origin",
}
CSRF_COOKIE = "tandem_csrf"
CSRF_FIELD = "_csrf_token"  # Litestar's form field name


def is_page(path: str) -> bool:
    return not path.startswith(NOT_PAGES)


def csrf_config(settings: Settings) -> CSRFConfig:
    """Litestar's double-submit CSRF check on every unsafe page request."""
    secret = hmac.new(settings.secret_key, b"tandem-csrf", hashlib.sha256).hexdigest()
    return CSRFConfig(
        secret=secret,
        cookie_name=CSRF_COOKIE,
        cookie_secure=settings.secure_cookies,
        cookie_httponly=True,
        cookie_samesite="lax",
        exclude=[f"^{prefix}" for prefix in NOT_PAGES],
    )


async def page_headers(message: Message, scope: Scope) -> None:
    """A before-send hook: the security headers on every page and asset answer."""
    if message["type"] != "http.response.start" or not is_page(scope.get("path", "")):
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in PAGE_HEADERS.items():
        headers[name] = value
    if "cache-control" not in headers:
        # Pages show health data: no copy in a shared or back-button cache.
        headers["cache-control"] = "no-store"
