"""A support contact, from the links in their messages: consent, then "I'm on it", then the
all-clear; with JavaScript and without, and no GET of a link changes anything.

The partners act through the JSON API here; their own pages have journeys of their own.
"""

from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.browser.conftest import LiveStack
from tests.browser.outbox import link_in_message
from tests.browser.pages import checked, phone
from tests.support.api import Couple, couple

pytestmark = pytest.mark.integration

JO = "jo@example.org"
JO_NO_SCRIPT = "jo.noscript@example.org"
JO_FORGED = "jo.forged@example.org"


async def plan_version(api: httpx.AsyncClient, plan: Couple) -> int:
    answer = await api.get(f"/v1/plans/{plan.plan_id}", headers=plan.first.auth)
    number: int = answer.json()["version"]
    return number


async def consented_plan(api: httpx.AsyncClient, email: str) -> tuple[Couple, str]:
    """Alex and Sam, with Jo asked at ``email``; Jo's consent page link from the outbox."""
    plan = await couple(api)
    channels = {"channels": [{"kind": "sms", "address": "+15550000001"}]}
    saved = await api.put("/v1/participants/me/channels", json=channels, headers=plan.first.auth)
    assert saved.status_code == 200, saved.text
    added = await api.post(
        f"/v1/plans/{plan.plan_id}/supports",
        json={
            "display_name": "Jo",
            "relationship": "sponsor",
            "channels": [{"kind": "email", "address": email}],
        },
        headers=plan.first.auth,
    )
    assert added.status_code == 201, added.text
    return plan, await link_in_message(live_outbox(api), email, "support contact", "consent")


def live_outbox(api: httpx.AsyncClient) -> Any:
    return api.outbox  # type: ignore[attr-defined]


@pytest.fixture
async def api(live: LiveStack) -> Any:
    async with httpx.AsyncClient(base_url=live.base_url) as client:
        client.outbox = live.outbox  # type: ignore[attr-defined]
        yield client


async def test_a_contact_consents_acknowledges_and_sees_the_all_clear(
    browser: Browser, live: LiveStack, api: httpx.AsyncClient
) -> None:
    plan, consent_url = await consented_plan(api, JO)
    context = await phone(browser)
    page = await context.new_page()
    before = await plan_version(api, plan)
    await page.goto(consent_url)
    await page.reload()
    assert await plan_version(api, plan) == before  # (f) GETs change nothing
    await expect(page.get_by_role("heading", name="Hi Jo")).to_be_visible()
    await checked(page, "consent")
    await page.get_by_label("Watch").uncheck()
    await page.get_by_label("The note they write").check()
    await page.get_by_role("button", name="Accept").tap()
    await expect(page.get_by_text("You said yes")).to_be_visible()
    await checked(page, "consent-accepted")
    scope = (await api.get(consent_url.replace("/consent/", "/v1/consents/"))).json()["scope"]
    assert scope == {"levels": ["setback", "crisis"], "share_signs": False, "share_notes": True}

    started = await api.post(
        f"/v1/plans/{plan.plan_id}/activations",
        json={"level": "setback", "note": "Rough night, please call"},
        headers=plan.first.auth,
    )
    assert started.status_code == 201, started.text
    activation = f"/v1/plans/{plan.plan_id}/activations/{started.json()['activation_id']}"
    ack_url = await link_in_message(live.outbox, JO, "asked for your help", "ack")
    await page.goto(ack_url)
    await page.reload()
    shown = (await api.get(activation, headers=plan.first.auth)).json()
    assert shown["acknowledgements"] == []  # (f) GETs change nothing
    await expect(
        page.get_by_text("Rough night, please call")
    ).to_be_visible()  # the scope shares notes
    await expect(page.get_by_role("link", name="Call +15550000001")).to_have_attribute(
        "href", "tel:%2B15550000001"
    )
    await checked(page, "ack")
    await page.get_by_role("button", name="I'm on it").tap()
    await expect(page.get_by_text("knows you are on it")).to_be_visible()
    await checked(page, "ack-done")
    shown = (await api.get(activation, headers=plan.first.auth)).json()
    assert [a["by"] for a in shown["acknowledgements"]] == [shown["recipients"][-1]["recipient_id"]]

    resolved = await api.post(
        activation + "/resolve", json={"outcome": "resolved"}, headers=plan.first.auth
    )
    assert resolved.status_code == 200, resolved.text
    all_clear_url = await link_in_message(live.outbox, JO, "All clear", "ack")
    await page.goto(all_clear_url)
    await expect(page.get_by_text("All clear: this request for help is closed")).to_be_visible()
    await checked(page, "ack-all-clear")
    await context.close()


async def test_consent_and_acknowledgement_work_with_javascript_off(
    browser: Browser, live: LiveStack, api: httpx.AsyncClient
) -> None:
    plan, consent_url = await consented_plan(api, JO_NO_SCRIPT)
    context = await phone(browser, javascript=False)
    page = await context.new_page()
    await page.goto(consent_url)
    await page.get_by_role("button", name="Accept").click()
    await expect(page.get_by_text("You said yes")).to_be_visible()
    started = await api.post(
        f"/v1/plans/{plan.plan_id}/activations", json={"level": "crisis"}, headers=plan.first.auth
    )
    assert started.status_code == 201, started.text
    await page.goto(await link_in_message(live.outbox, JO_NO_SCRIPT, "asked for your help", "ack"))
    await page.get_by_role("button", name="I'm on it").click()
    await expect(page.get_by_text("knows you are on it")).to_be_visible()
    activation = f"/v1/plans/{plan.plan_id}/activations/{started.json()['activation_id']}"
    shown = (await api.get(activation, headers=plan.first.auth)).json()
    assert len(shown["acknowledgements"]) == 1
    await context.close()


async def test_a_form_posted_without_its_csrf_token_is_refused(
    browser: Browser, live: LiveStack, api: httpx.AsyncClient
) -> None:
    _, consent_url = await consented_plan(api, JO_FORGED)
    context = await phone(browser)
    page = await context.new_page()
    await page.goto(consent_url)
    await page.locator("input[name=_csrf_token]").first.evaluate("field => field.remove()")
    await page.get_by_role("button", name="Accept").tap()
    await expect(page.get_by_role("heading", name="This form has expired")).to_be_visible()
    await checked(page, "error-csrf")
    status = (await api.get(consent_url.replace("/consent/", "/v1/consents/"))).json()["status"]
    assert status == "pending"
    await context.close()
