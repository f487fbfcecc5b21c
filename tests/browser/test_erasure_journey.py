"""Being erased, in a browser: a support contact from the link they got, or by a partner
from the plan page, a partner from My privacy. Each reads what goes, ticks the box, and lands on a page that says it is done;
axe-core checks the pages on the way."""

import pytest
from playwright.async_api import Browser, expect

from tests.browser.conftest import LiveStack
from tests.browser.journeys import ask_support, consent, create_plan, invite_code, join, sign_up
from tests.browser.pages import checked, phone

pytestmark = pytest.mark.integration


async def test_contacts_and_then_a_partner_are_erased_after_confirming(
    browser: Browser, live: LiveStack
) -> None:
    alex = await sign_up(await phone(browser), live, "Alex")
    plan_url = await create_plan(alex)
    code = await invite_code(alex, plan_url)
    sam = await sign_up(await phone(browser), live, "Sam", start=f"/?code={code}")
    await join(sam, code)
    await ask_support(alex, plan_url, "Jo-Erasable", "jo.erasable@example.org")
    jo = await (await phone(browser)).new_page()
    await consent(jo, live, "jo.erasable@example.org")
    await alex.goto(plan_url)
    assert "Jo-Erasable" in await alex.content()
    assert "Sam" in await alex.content()

    await jo.get_by_role("link", name="erase what Tandem holds about me").click()
    await checked(jo, "erase-contact")
    await jo.get_by_label("I understand: this erases me for good").check()
    await jo.get_by_role("button", name="Erase what Tandem holds about me").click()
    await expect(jo.get_by_role("heading", name="You were erased")).to_be_visible()
    await checked(jo, "erased")
    await alex.goto(plan_url)
    assert "Jo-Erasable" not in await alex.content()

    await ask_support(alex, plan_url, "Kai-Erasable", "kai.erasable@example.org")
    await alex.get_by_role("link", name="Erase Kai-Erasable…").click()
    await checked(alex, "erase-support")
    await alex.get_by_label("I understand: this erases Kai-Erasable for good").check()
    await alex.get_by_role("button", name="Erase Kai-Erasable").click()
    await expect(alex.get_by_role("heading", name="People who help")).to_be_visible()
    assert "Kai-Erasable" not in await alex.content()

    await sam.goto(live.base_url + "/me/privacy")
    await sam.get_by_role("link", name="Erase me…").click()
    await checked(sam, "erase-me")
    await sam.get_by_label("I understand: this erases me for good").check()
    await sam.get_by_role("button", name="Erase me").click()
    await expect(sam.get_by_role("heading", name="You were erased")).to_be_visible()
    await sam.goto(live.base_url + "/me/privacy")
    await expect(sam.get_by_role("heading", name="My privacy")).to_have_count(0)  # signed out
    await alex.goto(plan_url)
    assert "Sam" not in await alex.content()
    for page in (alex, sam, jo):
        await page.context.close()
