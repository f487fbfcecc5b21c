"""What every page answer is: HTML in the layout, strict headers, crisis help, plain errors."""

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from planner.web.security import CSP, CSRF_COOKIE
from tests.integration.web.conftest import CRISIS
from tests.support.api import assert_problem

pytestmark = pytest.mark.integration


async def test_the_start_page_is_html_with_crisis_help_and_strict_headers(
    client: AsyncTestClient[Any],
) -> None:
    page = await client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert CRISIS in page.text
    assert 'href="#crisis"' in page.text
    assert page.headers["content-security-policy"] == CSP
    assert "default-src 'self'" in CSP
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"


async def test_a_page_sets_an_http_only_lax_csrf_cookie_and_the_api_sets_none(
    client: AsyncTestClient[Any],
) -> None:
    page = await client.get("/")
    cookie = next(v for v in page.headers.get_list("set-cookie") if v.startswith(CSRF_COOKIE))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # served over http here
    client.cookies.clear()
    api = await client.get("/healthz")
    assert "set-cookie" not in api.headers
    assert "content-security-policy" not in api.headers


async def test_the_assets_are_served_by_tandem_itself(client: AsyncTestClient[Any]) -> None:
    css = await client.get("/static/tandem.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert css.headers["content-security-policy"] == CSP
    page = await client.get("/")
    assert "http://" not in page.text.replace("http://tandem.test", "")
    assert "https://" not in page.text


async def test_an_unknown_page_is_a_page_in_plain_words(client: AsyncTestClient[Any]) -> None:
    page = await client.get("/no/such/page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "This page or link is not valid" in page.text
    assert "{" not in page.text.split("<main", 1)[1].split("</main>", 1)[0]


async def test_the_api_still_answers_problem_details(client: AsyncTestClient[Any]) -> None:
    assert_problem(await client.get("/v1/no/such/thing"), 404)
    assert_problem(await client.post("/v1/acks/not.a-link"), 404)
