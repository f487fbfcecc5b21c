"""What every page visited in a browser test goes through: axe-core, and a phone screenshot."""

import json
from pathlib import Path
from typing import Any

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, BrowserContext, Page

SCREENSHOTS = Path(__file__).resolve().parents[2] / ".screenshots"
PHONE = {"width": 360, "height": 740}
BLOCKING = {"serious", "critical"}

_axe = Axe()


async def phone(browser: Browser, *, javascript: bool = True) -> BrowserContext:
    """A phone-sized browser of its own (cookies and all), touch and JavaScript as asked."""
    return await browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=javascript
    )


async def checked(page: Page, name: str) -> list[dict[str, Any]]:
    """Save a phone screenshot of ``page`` as ``name`` and fail on serious or critical axe
    violations. Returns every violation found (the minor ones too), also kept beside the
    screenshots for the record."""
    SCREENSHOTS.mkdir(exist_ok=True)
    await page.wait_for_load_state("load")
    await page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    violations: list[dict[str, Any]] = (await _axe.run(page)).response["violations"]
    summary = [{"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"])} for v in violations]
    (SCREENSHOTS / f"{name}.axe.json").write_text(json.dumps(summary, indent=1))
    blocking = [v for v in summary if v["impact"] in BLOCKING]
    assert not blocking, f"axe on {name}: {blocking}"
    return summary
