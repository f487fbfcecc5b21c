"""The consent and acknowledge pages a support contact opens from the links they get."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from litestar.testing import AsyncTestClient

from common.links import ack_link
from planner.settings import Settings
from tests.integration.web.forms import submit
from tests.support.api import Couple, activate, add_support, couple, create_plan, register

pytestmark = pytest.mark.integration


def page_of(api_path: str) -> str:
    """The page a person opens for the link whose API path is ``api_path``."""
    return "/consent/" + api_path.removeprefix("/v1/consents/")


async def version(client: AsyncTestClient[Any], plan: Couple) -> int:
    answer = await client.get(f"/v1/plans/{plan.plan_id}", headers=plan.first.auth)
    number: int = answer.json()["version"]
    return number


async def test_the_consent_page_shows_the_request_and_a_get_changes_nothing(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    _, link = await add_support(client, plan, "Jo", consent=None)
    before = await version(client, plan)
    for _ in range(2):
        page = await client.get(page_of(link))
        assert page.status_code == 200
        assert "Alex and Sam keep a shared recovery plan and ask you" in page.text
        assert "a short alert when one of them asks for help" in page.text
        assert "jo@example.org" in page.text
        assert "What Tandem keeps about you" in page.text
        assert "Accept" in page.text
    assert await version(client, plan) == before


async def test_one_partner_keeps_the_plan(client: AsyncTestClient[Any]) -> None:
    alex = await register(client, "Alex")
    plan = Couple(plan_id=await create_plan(client, alex), first=alex, second=alex)
    _, link = await add_support(client, plan, "Jo", consent=None)
    page = (await client.get(page_of(link))).text
    assert "Alex keeps a shared recovery plan and asks you" in page
    assert "a short alert when they ask for help" in page
    assert "Alex keeps a shared" in (await client.get(link)).json()["explanation"]


async def test_accepting_with_a_scope_then_withdrawing(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    contact_id, link = await add_support(client, plan, "Jo", consent=None)
    page = page_of(link)
    fields = {"decision": "accept", "levels": ["setback", "crisis"], "share_notes": "yes"}
    accepted = await submit(client, page, page, fields)
    assert accepted.status_code == 303
    assert accepted.headers["location"] == page
    shown = (await client.get(page)).text
    assert "You said yes" in shown
    assert "setback, crisis" in shown
    consent = (await client.get(link)).json()
    assert consent["status"] == "given"
    assert consent["scope"] == {
        "levels": ["setback", "crisis"],
        "share_signs": False,
        "share_notes": True,
    }
    withdrawn = await submit(client, page, page + "/withdraw", {})
    assert withdrawn.status_code == 303
    assert "You withdrew your consent" in (await client.get(page)).text
    assert (await client.get(link)).json()["status"] == "withdrawn"
    assert contact_id


async def test_declining(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    _, link = await add_support(client, plan, "Jo", consent=None)
    answer = await submit(client, page_of(link), page_of(link), {"decision": "decline"})
    assert answer.status_code == 303
    assert "You said no" in (await client.get(page_of(link))).text


async def test_a_form_without_its_csrf_token_is_refused_in_plain_words(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    _, link = await add_support(client, plan, "Jo", consent=None)
    await client.get(page_of(link))  # the CSRF cookie is set, the field is left out
    refused = await client.post(page_of(link), data={"decision": "accept", "levels": "crisis"})
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert "This form has expired" in refused.text
    assert (await client.get(link)).json()["status"] == "pending"


async def test_a_forged_link_is_a_page_that_says_so(client: AsyncTestClient[Any]) -> None:
    for path in ("/consent/forged.link", "/ack/forged.link"):
        page = await client.get(path)
        assert page.status_code == 404
        assert "This page or link is not valid" in page.text


async def test_the_ack_page_acknowledges_only_on_the_button(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    plan = await couple(client)
    contact_id, _ = await add_support(
        client, plan, "Jo", scope={"levels": ["setback"], "share_signs": False, "share_notes": True}
    )
    started = await activate(client, plan, note="Call me please")
    link = ack_link(
        settings.secret_key,
        settings.base_url,
        UUID(plan.plan_id),
        UUID(started["activation_id"]),
        UUID(contact_id),
        datetime.now(UTC) + timedelta(hours=1),
    )
    page = "/ack/" + link.rsplit("/", 1)[1]
    before = await version(client, plan)
    shown = await client.get(page)
    assert shown.status_code == 200
    assert "Alex asked for help" in shown.text
    assert "I&#39;m on it" in shown.text or "I'm on it" in shown.text
    assert "Call me please" in shown.text  # Jo's scope shares notes
    assert await version(client, plan) == before
    answered = await submit(client, page, page, {})
    assert answered.status_code == 303
    assert "knows you are on it" in (await client.get(page)).text
    activation = await client.get(
        f"/v1/plans/{plan.plan_id}/activations/{started['activation_id']}", headers=plan.first.auth
    )
    assert [a["by"] for a in activation.json()["acknowledgements"]] == [contact_id]
    resolved = await client.post(
        f"/v1/plans/{plan.plan_id}/activations/{started['activation_id']}/resolve",
        json={"outcome": "resolved"},
        headers=plan.first.auth,
    )
    assert resolved.status_code == 200
    assert "All clear" in (await client.get(page)).text
