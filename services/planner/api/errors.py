"""Errors raised at the HTTP edge (auth, headers); mapped to problem details in problems.py."""


class Unauthorized(Exception):
    """No bearer token, or one we don't know."""


class Forbidden(Exception):
    """A known caller who may not do this (not a member; an operator editing)."""


class ResourceNotFound(Exception):
    """Something the caller named does not exist (or is not theirs to know about)."""


class BadHeader(Exception):
    """A request header that cannot be parsed (If-Match, Idempotency-Key)."""
