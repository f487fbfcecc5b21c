"""Erasing on the pages: a partner from My privacy, a support contact from their consent page.

Each asks first, on a page of its own; its form needs the box ticked and the page's CSRF
token; a request for help still open refuses it in plain words.
"""

from typing import Any

import asyncpg
import httpx
import pytest
from litestar.testing import AsyncTestClient

from tests.integration.web.forms import submit
from tests.support.api import Person, activate, add_support, couple

pytestmark = pytest.mark.integration

ACCOUNT = "SELECT count(*) FROM participants WHERE participant_id = $1"


async def signed_in(client: AsyncTestClient[Any], person: Person) -> None:
    client.cookies = httpx.Cookies()
    answer = await submit(client, "/", "/sign-in/token", {"token": person.token})
    assert answer.status_code == 303, answer.text


async def test_a_partner_erases_themself_from_my_privacy_after_confirming(
    client: AsyncTestClient[Any], db_pool: asyncpg.Pool
) -> None:
    plan = await couple(client)
    sam = plan.second
    await signed_in(client, sam)
    privacy = await client.get("/me/privacy")
    assert 'href="/me/erase"' in privacy.text
    asked = await client.get("/me/erase")
    assert asked.status_code == 200
    assert "cannot be undone" in asked.text

    unticked = await submit(client, "/me/erase", "/me/erase", {})
    assert unticked.status_code == 422
    assert "tick the box" in unticked.text
    assert await db_pool.fetchval(ACCOUNT, sam.participant_id) == 1
    forged = await client.post("/me/erase", data={"confirm": "erase"}, follow_redirects=False)
    assert forged.status_code == 403  # no CSRF token: nothing happens
    assert await db_pool.fetchval(ACCOUNT, sam.participant_id) == 1

    erased = await submit(client, "/me/erase", "/me/erase", {"confirm": "erase"})

    assert erased.status_code == 303, erased.text
    assert erased.headers["location"] == "/erased?who=partner"
    assert 'tandem_session=""' in erased.headers["set-cookie"]
    assert await db_pool.fetchval(ACCOUNT, sam.participant_id) == 0
    assert "You were erased" in (await client.get("/erased?who=partner")).text
    await signed_in(client, plan.first)
    page = await client.get(f"/plans/{plan.plan_id}")
    assert page.status_code == 200
    assert "Sam" not in page.text


async def test_a_contact_erases_themself_from_their_consent_page(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    contact_id, link = await add_support(client, plan, "Jo-Tamsinworth")
    page_link = link.replace("/v1/consents/", "/consent/")
    consent = await client.get(page_link)
    assert f'href="{page_link}/erase"' in consent.text
    asked = await client.get(page_link + "/erase")
    assert "cannot" in asked.text
    assert "While one of them has a request for help open" in asked.text  # a couple

    erased = await submit(client, page_link + "/erase", page_link + "/erase", {"confirm": "erase"})

    assert erased.status_code == 303, erased.text
    assert erased.headers["location"] == "/erased?who=contact"
    assert (await client.get(page_link)).status_code == 404
    assert (await client.get(page_link + "/erase")).status_code == 404
    shown = await client.get(f"/v1/plans/{plan.plan_id}", headers=plan.first.auth)
    assert "Jo-Tamsinworth" not in shown.text
    assert "jo-tamsinworth@example.org" not in shown.text
    [jo] = [s for s in shown.json()["supports"] if s["contact_id"] == contact_id]
    assert jo["display_name"] == "[erased]"
    history = await client.get(f"/v1/plans/{plan.plan_id}/events", headers=plan.first.auth)
    [event] = [e for e in history.json()["events"] if e["type"] == "plan.support_contact_erased"]
    assert event["data"]["by"] == "self"


async def test_an_open_request_for_help_refuses_an_erasure_in_plain_words(
    client: AsyncTestClient[Any], db_pool: asyncpg.Pool
) -> None:
    plan = await couple(client)
    await add_support(client, plan, "Jo")
    await activate(client, plan)
    await signed_in(client, plan.second)

    refused = await submit(client, "/me/erase", "/me/erase", {"confirm": "erase"})

    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("text/html")
    assert "resolve it first" in refused.text
    assert await db_pool.fetchval(ACCOUNT, plan.second.participant_id) == 1


async def test_a_partner_erases_a_support_contact_from_the_plan_page(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    contact_id, _ = await add_support(client, plan, "Jo-Hawthorne")
    await signed_in(client, plan.second)
    page = f"/plans/{plan.plan_id}"
    erase = f"{page}/supports/{contact_id}/erase"
    assert f'href="{erase}"' in (await client.get(page)).text
    asked = await client.get(erase)
    assert "Erase Jo-Hawthorne" in asked.text
    assert "cannot be" in asked.text

    erased = await submit(client, erase, erase, {"confirm": "erase"})

    assert erased.status_code == 303, erased.text
    assert erased.headers["location"] == f"{page}#supports"
    shown = await client.get(page)
    assert "Jo-Hawthorne" not in shown.text
    assert (await client.get(erase)).status_code == 404
    history = await client.get(f"/v1/plans/{plan.plan_id}/events", headers=plan.first.auth)
    [event] = [e for e in history.json()["events"] if e["type"] == "plan.support_contact_erased"]
    assert event["data"]["by"] == "partner"
