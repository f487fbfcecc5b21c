"""The journeys of the issue, (a) to (h), each a test, on phone-sized pages against a live stack.

Partners use only pages; the support contact uses only the links in their e-mails (read
from the dev outbox, as under `make run`). axe-core checks every page shown, and each page
is saved as a phone screenshot (``.screenshots/``).
"""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from playwright.async_api import Browser, Page, expect

from common.links import sign_in_link
from tests.browser.conftest import CRISIS, SECRET, LiveStack
from tests.browser.journeys import (
    activate,
    agree_to_tell,
    ask_support,
    consent,
    create_plan,
    invite_code,
    join,
    plan_decisions,
    reach_me_at,
    sign_up,
)
from tests.browser.outbox import link_in_message
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


async def couple(browser: Browser, live: LiveStack, tag: str) -> tuple[Page, Page, str]:
    """(a) Alex signs up and makes the plan, Sam joins with the invite code in a browser of
    their own; both say where to reach them. Alex's page, Sam's page, the plan's address."""
    alex = await sign_up(await phone(browser), live, "Alex")
    plan_url = await create_plan(alex)
    code = await invite_code(alex, plan_url)
    sam = await sign_up(await phone(browser), live, "Sam", start=f"/?code={code}")
    await join(sam, code)
    await reach_me_at(alex, live, email=f"alex.{tag}@example.org", sms="+15550000001")
    await reach_me_at(sam, live, email=f"sam.{tag}@example.org")
    return alex, sam, plan_url


async def test_a_partner_signs_up_makes_the_plan_and_the_other_joins(
    browser: Browser, live: LiveStack
) -> None:
    alex = await sign_up(await phone(browser), live, "Alex")
    await checked(alex, "start-signed-in")
    plan_url = await create_plan(alex)
    await alex.get_by_role("button", name="Make an invite code").tap()
    await expect(alex.get_by_role("heading", name="Invite your partner")).to_be_visible()
    await checked(alex, "invite")
    code = (await alex.locator("#invite-code").inner_text()).strip()
    sam_context = await phone(browser)
    sam = await sign_up(sam_context, live, "Sam", start=f"/?code={code}")
    await checked(sam, "start-join")
    await join(sam, code)
    await expect(sam.get_by_text("Kept by Alex and Sam")).to_be_visible()
    await alex.goto(plan_url)
    await expect(alex.get_by_text("Kept by Alex and Sam")).to_be_visible()
    await checked(alex, "plan")
    await alex.goto(live.base_url + "/me")
    await checked(alex, "me")
    await alex.context.close()
    await sam_context.close()


async def test_a_support_contact_consents_from_the_link_they_got(
    browser: Browser, live: LiveStack
) -> None:
    alex, sam, plan_url = await couple(browser, live, "b")
    await ask_support(alex, plan_url, "Jo", "jo.b@example.org")
    jo = await (await phone(browser)).new_page()
    before = await plan_decisions(live, plan_url)
    url = await link_in_message(live.outbox, "jo.b@example.org", "support contact", "consent")
    await jo.goto(url)
    await jo.reload()
    assert await plan_decisions(live, plan_url) == before  # (f) a GET changes nothing
    await consent(jo, live, "jo.b@example.org", shot="consent")
    await checked(jo, "consent-accepted")
    await alex.goto(plan_url)
    await expect(alex.get_by_text("agreed, for setback, crisis")).to_be_visible()
    for page in (alex, sam, jo):
        await page.context.close()


async def test_an_answer_shows_on_the_askers_page_without_a_reload_and_resolving_clears_it(
    browser: Browser, live: LiveStack
) -> None:
    alex, sam, plan_url = await couple(browser, live, "c")
    await ask_support(alex, plan_url, "Jo", "jo.c@example.org")
    jo = await (await phone(browser)).new_page()
    await consent(jo, live, "jo.c@example.org")
    await sam.goto(plan_url)
    await checked(sam, "plan-asked")
    await agree_to_tell(sam, plan_url, "Sam", "Alex", "Jo")

    # (c) Sam asks for help at setback; Jo taps "I'm on it" from the e-mail.
    live_url = await activate(sam, plan_url, "setback", "Rough night, please call", shot="activate")
    await sam.evaluate("() => { window.notReloaded = true; }")
    await expect(sam.get_by_text("Waiting for an answer")).to_be_visible()
    await checked(sam, "activation-live")
    ack_url = await link_in_message(live.outbox, "jo.c@example.org", "asked for your help", "ack")
    before = await plan_decisions(live, plan_url)
    await jo.goto(ack_url)
    await jo.reload()
    assert await plan_decisions(live, plan_url) == before  # (f) a GET changes nothing
    await expect(jo.get_by_text("Rough night, please call")).to_be_visible()
    await checked(jo, "ack")
    await jo.get_by_role("button", name="I'm on it").tap()
    await expect(jo.get_by_text("Sam knows you are on it")).to_be_visible()
    await checked(jo, "ack-done")
    await expect(sam.get_by_text("Jo answered")).to_be_visible(timeout=10_000)
    assert await sam.evaluate("() => window.notReloaded === true")  # updated in place

    # (d) Sam resolves with a reflection; Jo's all-clear links to a page that says so.
    await sam.get_by_label("What helped").fill("Talking it through helped")
    await sam.get_by_role("button", name="It is resolved").tap()
    await expect(sam.get_by_text("Resolved.")).to_be_visible()
    all_clear = await link_in_message(live.outbox, "jo.c@example.org", "All clear", "ack")
    await jo.goto(all_clear)
    await expect(jo.get_by_text("All clear: this request for help is closed")).to_be_visible()
    await checked(jo, "ack-all-clear")
    await sam.goto(plan_url + "/history")
    await expect(sam.get_by_text("Request for help closed")).to_be_visible()
    await checked(sam, "history")
    await sam.goto(plan_url + "/check-in")
    await checked(sam, "check-in")
    await sam.get_by_role("button", name="Save my check-in").tap()
    await expect(sam.get_by_text("mood 3/5, craving 0/10")).to_be_visible()
    assert live_url.startswith(plan_url)

    # Sam's privacy: Jo's alert is in Sam's accounting; someone Sam must never involve.
    await sam.goto(plan_url)
    await sam.get_by_role("link", name="My privacy").click()
    told = sam.locator("#told + p + ul li", has_text="Jo")
    await expect(told.filter(has_text="alert with your name")).to_have_count(1)
    await sam.get_by_text("Add someone to never involve").tap()
    await sam.get_by_label("Their e-mail address or phone number").fill("pat.c@example.org")
    await sam.get_by_label("Why").fill("not them")
    await sam.get_by_role("button", name="Never involve them").tap()
    await expect(sam.get_by_text("pat.c@example.org: not them")).to_be_visible()
    await checked(sam, "my-privacy")
    for page in (alex, sam, jo):
        await page.context.close()


async def test_asking_for_help_and_answering_work_with_javascript_off(
    browser: Browser, live: LiveStack
) -> None:
    alex, sam, plan_url = await couple(browser, live, "e")
    await ask_support(alex, plan_url, "Jo", "jo.e@example.org")
    jo = await (await phone(browser, javascript=False)).new_page()
    await consent(jo, live, "jo.e@example.org")
    sam_off = await (await phone(browser, javascript=False)).new_page()
    await sam_off.context.add_cookies(await sam.context.cookies())
    await agree_to_tell(sam_off, plan_url, "Sam", "Alex", "Jo")
    await activate(sam_off, plan_url, "crisis", "Please come")
    ack_url = await link_in_message(live.outbox, "jo.e@example.org", "asked for your help", "ack")
    await jo.goto(ack_url)
    await jo.get_by_role("button", name="I'm on it").click()
    await expect(jo.get_by_text("knows you are on it")).to_be_visible()
    await sam_off.get_by_role("link", name="Refresh").click()
    await expect(sam_off.get_by_text("Jo answered")).to_be_visible()
    await sam_off.get_by_role("button", name="It was a false alarm").click()
    await expect(sam_off.get_by_text("Closed as a false alarm")).to_be_visible()
    for page in (alex, sam, jo, sam_off):
        await page.context.close()


async def test_a_form_posted_without_its_csrf_token_is_refused(
    browser: Browser, live: LiveStack
) -> None:
    alex, sam, plan_url = await couple(browser, live, "g")
    before = await plan_decisions(live, plan_url)
    await alex.goto(plan_url)
    await alex.get_by_text("Add a warning sign").tap()
    await alex.get_by_label("Kind").fill("sleep")
    await alex.get_by_label("What you notice").fill("Up past 2")
    await alex.locator("form[action$='/signs'] input[name=_csrf_token]").evaluate("f => f.remove()")
    await alex.get_by_role("button", name="Add the sign").tap()
    await expect(alex.get_by_role("heading", name="This form has expired")).to_be_visible()
    await checked(alex, "error-csrf")
    assert await plan_decisions(live, plan_url) == before
    await alex.goto(live.base_url + "/plans/01950000-0000-7000-8000-000000000000")
    await expect(alex.get_by_role("heading", name="This page or link is not valid")).to_be_visible()
    await checked(alex, "error-not-found")
    for page in (alex, sam):
        await page.context.close()


async def test_a_partner_signs_in_on_a_second_device_by_a_one_time_link(
    browser: Browser, live: LiveStack
) -> None:
    alex, sam, plan_url = await couple(browser, live, "h")
    second = await (await phone(browser)).new_page()
    await second.goto(live.base_url + "/")
    await second.get_by_label("Your e-mail address or phone number").fill("alex.h@example.org")
    await second.get_by_role("button", name="Send me a sign-in link").tap()
    await expect(second.get_by_role("heading", name="Check your messages")).to_be_visible()
    await checked(second, "sign-in-sent")
    link = await link_in_message(live.outbox, "alex.h@example.org", "sign-in link", "sign-in")
    await second.goto(link)
    await checked(second, "sign-in-link")
    await second.get_by_role("button", name="Sign in on this device").tap()
    await expect(second.get_by_role("heading", name="Hi Alex")).to_be_visible()
    await second.goto(plan_url)
    await expect(second.get_by_text("Kept by Alex and Sam")).to_be_visible()

    third = await (await phone(browser)).new_page()
    await third.goto(link)  # used: refused
    await expect(third.get_by_role("heading", name="This link has closed")).to_be_visible()
    await expect(third.get_by_text("used already")).to_be_visible()
    await checked(third, "sign-in-used")
    expired = sign_in_link(
        SECRET,
        live.base_url,
        UUID(plan_url.rsplit("/", 1)[1]),
        UUID(int=1),
        UUID(int=2),
        datetime.now(UTC) - timedelta(minutes=1),
    )
    await third.goto(expired)
    await expect(third.get_by_text("has expired")).to_be_visible()
    await expect(third.get_by_role("button", name="Sign in on this device")).to_have_count(0)
    for page in (alex, sam, second, third):
        await page.context.close()
