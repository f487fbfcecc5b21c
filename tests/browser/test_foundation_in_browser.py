"""The layout in a real browser: crisis help one tap away, no request leaves Tandem."""

import pytest
from playwright.async_api import Browser

from tests.browser.conftest import CRISIS, LiveStack
from tests.browser.pages import checked, phone

pytestmark = pytest.mark.integration


async def test_the_start_page_loads_only_from_tandem_and_crisis_help_is_one_tap_away(
    browser: Browser, live: LiveStack
) -> None:
    context = await phone(browser)
    page = await context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text))
    await page.goto(live.base_url + "/")
    await checked(page, "start")
    assert requested
    assert all(url.startswith(live.base_url) for url in requested), requested
    await page.get_by_role("link", name="Crisis help").tap()
    assert await page.get_by_text(CRISIS).is_visible()
    assert not [text for text in refused if "Content Security Policy" in text]
    await context.close()
