"""Request bodies as the API reads them: small, shallow, and text PostgreSQL can store.

Every JSON body a route reads passes through ``GuardedRequest.json`` first:

- its size is bounded by the app (``MAX_BODY_BYTES``; Litestar answers 413 beyond it);
- its nesting is measured on the raw bytes, before anything decodes it (``MAX_DEPTH``;
  400 beyond it), so no recursive decoder, validator or walker meets a deep document;
- every string in it, keys included, is text that PostgreSQL's ``text`` and ``jsonb`` can
  hold: no U+0000 and no surrogate code point (422, naming the field).

The limits are far above what any request of this API needs: the deepest body
(an escalation policy) nests three levels, the largest is a few kilobytes.
"""

import re
from typing import Any

from litestar import Request

from planner.api.errors import BodyTooDeep, ForbiddenText

MAX_BODY_BYTES = 64 * 1024
MAX_DEPTH = 16

# A JSON string with its escapes (possessive, so a long string is one linear scan).
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"')
_BRACKET = re.compile(rb"[\[\]{}]")
_OPENERS = frozenset(b"[{")
# U+0000 cannot be stored in PostgreSQL text or jsonb; a surrogate cannot be encoded in UTF-8.
_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")


def check_nesting(body: bytes) -> None:
    """Refuse ``body`` when its arrays and objects nest deeper than ``MAX_DEPTH``.

    Brackets inside strings do not count. A malformed body may be measured wrongly, but
    it is refused either way: here, or by the decoder.
    """
    depth = 0
    for bracket in _BRACKET.finditer(_STRING.sub(b"", body)):
        depth += 1 if bracket[0][0] in _OPENERS else -1
        if depth > MAX_DEPTH:
            raise BodyTooDeep(f"JSON nested deeper than {MAX_DEPTH} levels")


def check_text(value: Any, field: str = "") -> None:
    """Refuse a decoded body that holds a string PostgreSQL cannot store, naming where."""
    if isinstance(value, str):
        if _FORBIDDEN.search(value):
            raise ForbiddenText(field or "body")
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{field}.{_shown(key)}" if field else _shown(key)
            if _FORBIDDEN.search(key):
                raise ForbiddenText(name)
            check_text(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_text(item, f"{field}[{index}]")


def _shown(key: str) -> str:
    """A key as an error message can show it: forbidden code points replaced."""
    return _FORBIDDEN.sub("\ufffd", key)


class GuardedRequest(Request[Any, Any, Any]):
    """Litestar's request, whose JSON body is checked before and after decoding."""

    async def json(self) -> Any:
        check_nesting(await self.body())
        value = await super().json()
        check_text(value)
        return value
