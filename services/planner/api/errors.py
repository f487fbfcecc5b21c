"""Errors raised at the HTTP edge (auth, headers); mapped to problem details in problems.py."""


class Unauthorized(Exception):
    """No bearer token, or one we don't know."""


class Forbidden(Exception):
    """A known caller who may not do this (not a member; an operator editing)."""


class ResourceNotFound(Exception):
    """Something the caller named does not exist (or is not theirs to know about)."""


class BadHeader(Exception):
    """A request header that cannot be parsed (If-Match, Idempotency-Key)."""


class BadParameter(Exception):
    """A query parameter that parses but means nothing here (a time outside the calendar)."""


class BodyTooDeep(Exception):
    """A JSON body nested deeper than any request of this API (see bodies.py)."""


class ForbiddenText(Exception):
    """Text that PostgreSQL cannot store: U+0000, or a surrogate code point."""

    def __init__(self, field: str) -> None:
        super().__init__(f"{field}: text may not contain U+0000 or a surrogate code point")
        self.field = field
