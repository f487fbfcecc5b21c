"""The steps of the journeys, as a person takes them in the browser: tap, type, read."""

import re

from playwright.async_api import BrowserContext, Page, expect

from tests.browser.conftest import LiveStack
from tests.browser.outbox import link_in_message
from tests.browser.pages import checked
from tests.support.database import value_of

PLAN_PATH = re.compile(r"/plans/([0-9a-f-]{36})$")


async def sign_up(context: BrowserContext, live: LiveStack, name: str, start: str = "/") -> Page:
    page = await context.new_page()
    await page.goto(live.base_url + start)
    await page.get_by_label("Your first name").fill(name)
    await page.get_by_role("button", name="Create my account").tap()
    await expect(page.get_by_role("heading", name=f"Hi {name}")).to_be_visible()
    return page


async def reach_me_at(page: Page, live: LiveStack, *, email: str = "", sms: str = "") -> None:
    await page.goto(live.base_url + "/me")
    await page.get_by_label("E-mail address").fill(email)
    await page.get_by_label("Mobile phone").fill(sms)
    await page.get_by_role("button", name="Save").tap()
    await expect(page.get_by_text("Saved.")).to_be_visible()


async def create_plan(page: Page) -> str:
    """The plan's page address."""
    await page.get_by_role("button", name="Create the plan").tap()
    await expect(page).to_have_url(PLAN_PATH)
    return page.url


async def invite_code(page: Page, plan_url: str) -> str:
    await page.goto(plan_url)
    await page.get_by_role("button", name="Make an invite code").tap()
    code = await page.locator("#invite-code").inner_text()
    return code.strip()


async def join(page: Page, code: str) -> None:
    await page.get_by_label("The invite code they gave you").fill(code)
    await page.get_by_role("button", name="Join the plan").tap()
    await expect(page).to_have_url(PLAN_PATH)


async def ask_support(page: Page, plan_url: str, name: str, email: str) -> None:
    await page.goto(plan_url)
    await page.get_by_text("Add someone who helps").tap()
    await page.get_by_label("Their name").fill(name)
    await page.get_by_label("Who they are to you").fill("sponsor")
    await page.get_by_label("Their e-mail address").fill(email)
    await page.get_by_role("button", name="Ask them").tap()
    await expect(page.get_by_text("asked, no answer yet")).to_be_visible()


async def agree_to_tell(page: Page, plan_url: str, me: str, adder: str, name: str) -> None:
    """``me``, the partner who did not add ``name``, sees they were asked, and lets ``name``
    be alerted when they ask for help (through the form, whatever JavaScript is on)."""
    await page.goto(plan_url)
    question = f"{me}, {adder} added {name}: may {name} be told when you ask for help?"
    await expect(page.get_by_role("heading", name=question)).to_be_visible()
    await expect(page.get_by_text("you were asked; not told until you say yes")).to_be_visible()
    await page.get_by_label(f"Alert {name} when I ask for help").check()
    await page.get_by_role("button", name=f"Save my choice about {name}").click()
    await expect(page.get_by_text("Saved.")).to_be_visible()
    await expect(page.get_by_role("heading", name=question)).to_have_count(0)
    await expect(page.get_by_text("alerted when you ask for help")).to_be_visible()


async def consent(page: Page, live: LiveStack, email: str, *, shot: str = "") -> str:
    """The contact opens the consent link from their e-mail and accepts setback and crisis
    alerts that may include the note; the link's address."""
    url = await link_in_message(live.outbox, email, "support contact", "consent")
    await page.goto(url)
    if shot:
        await checked(page, shot)
    await page.get_by_label("Watch").uncheck()
    await page.get_by_label("The note they write").check()
    await page.get_by_role("button", name="Accept").click()
    await expect(page.get_by_text("You said yes")).to_be_visible()
    return url


async def activate(page: Page, plan_url: str, level: str, note: str, *, shot: str = "") -> str:
    """Ask for help at ``level`` with ``note``; the live page's address."""
    await page.goto(plan_url)
    await page.get_by_role("link", name=level.capitalize(), exact=True).click()
    await page.get_by_label("A note").fill(note)
    if shot:
        await checked(page, shot)
    await page.get_by_role("button", name="Ask for help with these").click()
    await expect(page.get_by_role("heading", name="asked for help")).to_be_visible()
    return page.url


# What people decided, leaving out the notifier's reports, which arrive when they arrive.
DECISIONS = """
SELECT count(*) FROM events WHERE stream_id = $1::uuid
AND event_type NOT IN ('plan.alert_delivery_recorded', 'plan.activation_escalated')
"""


async def plan_decisions(live: LiveStack, plan_url: str) -> int:
    """How many decisions the plan's stream holds (a GET must never add one)."""
    match = PLAN_PATH.search(plan_url.split("/activations", maxsplit=1)[0])
    assert match
    count: int = await value_of(live.db_url, DECISIONS, match.group(1))
    return count
