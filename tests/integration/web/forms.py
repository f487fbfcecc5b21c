"""Posting a page's form the way a browser does: with the CSRF token the page carries."""

import re
from typing import Any

from litestar.testing import AsyncTestClient

_CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


async def submit(
    client: AsyncTestClient[Any], page_path: str, action: str, fields: dict[str, Any]
) -> Any:
    """GET ``page_path``, then POST ``fields`` to ``action`` with the page's CSRF token."""
    page = await client.get(page_path)
    assert page.status_code == 200, page.text
    return await client.post(
        action, data={**fields, "_csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
