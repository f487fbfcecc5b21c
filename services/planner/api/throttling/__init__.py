"""The API's rate limits: Litestar's rate-limit middleware, one per limit and key.

``middleware(settings.throttling)`` gives the app's middleware list; the counts live in
the store registered under ``STORE`` (planner.store.rate_limits: PostgreSQL, shared by
every planner process). Which requests each limit counts: rules.py.
"""

from collections.abc import Callable
from typing import Any

from litestar.middleware.base import DefineMiddleware

from planner.api.throttling import rules
from planner.api.throttling.middleware import FailureThrottle, LimitConfig, Throttle
from planner.settings import Rate, Throttling

STORE = "rate_limit"

Rule = Callable[[rules.AnyRequest], Any]


def _keyed(name: str, key: Rule) -> Callable[[rules.AnyRequest], str]:
    """Each limit's own keys: limits sharing a key function must not share counts."""
    return lambda request: f"{name}:{key(request)}"


def _limit(
    name: str,
    rate: Rate | None,
    applies: Callable[[rules.AnyRequest], bool],
    key: Rule,
    kind: type[Throttle] = Throttle,
) -> list[DefineMiddleware]:
    if rate is None:
        return []
    config = LimitConfig(
        rate_limit=(rate.per, rate.count),
        identifier_for_request=_keyed(name, key),
        check_throttle_handler=applies,
        middleware_class=kind,
        store=STORE,
        name=name,
    )
    return [config.middleware]


def middleware(limits: Throttling) -> list[DefineMiddleware]:
    """The limits in the order they are checked: failed guesses first, then the rest."""
    return [
        *_limit(
            "failures", limits.failures, rules.proves_something, rules.address, FailureThrottle
        ),
        *_limit("signups", limits.signups, rules.is_signup, rules.address),
        *_limit("links", limits.links, rules.is_link, rules.address),
        *_limit("links-token", limits.links, rules.is_link_with_credentials, rules.token_hash),
        *_limit("token", limits.token, rules.has_credentials, rules.token_hash),
        *_limit("address", limits.address, rules.has_credentials, rules.address),
    ]
