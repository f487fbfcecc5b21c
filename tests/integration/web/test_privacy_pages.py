"""The privacy forms on the pages: each partner's own disclosure choice on the plan page, and
"My privacy" (the "do not involve" list, the accounting of disclosures, the export).

Each form is CSRF-protected, a GET changes nothing, and a form touches only the signed-in
participant's own choice or list. People are made through the JSON API (tests/support/world)
and sign in on the pages with their token, as the page authorization matrix does.
"""

from typing import Any

import asyncpg
import httpx
import pytest
from litestar.testing import AsyncTestClient

from planner.settings import Settings
from tests.integration.web.forms import csrf_of, submit
from tests.support.api import Person
from tests.support.world import World, build

pytestmark = pytest.mark.integration

EVENTS = "SELECT count(*) FROM events"
LISTED = "SELECT count(*) FROM do_not_involve"


async def signed_in(client: AsyncTestClient[Any], person: Person) -> None:
    client.cookies = httpx.Cookies()
    answer = await submit(client, "/", "/sign-in/token", {"token": person.token})
    assert answer.status_code == 303, answer.text


async def choices(client: AsyncTestClient[Any], world: World, contact_id: str) -> dict[str, Any]:
    """Each partner's disclosure choice about the contact, by name, as the API shows it."""
    plan = await client.get(f"/v1/plans/{world.plan.plan_id}", headers=world.partner.auth)
    support = next(s for s in plan.json()["supports"] if s["contact_id"] == contact_id)
    names = {world.plan.first.participant_id: "Alex", world.plan.second.participant_id: "Sam"}
    return {names[d["participant_id"]]: d for d in support["disclosures"]}


async def added_by_alex(client: AsyncTestClient[Any], world: World, fields: dict[str, str]) -> str:
    """A contact Alex adds on the plan page with ``fields`` of the form; their id."""
    plan = f"/plans/{world.plan.plan_id}"
    await signed_in(client, world.partner)
    form = {"display_name": "Kai", "relationship": "friend", "email": "kai@example.org", **fields}
    answer = await submit(client, plan, plan + "/supports", form)
    assert answer.status_code == 303, answer.text
    plan_json = await client.get(f"/v1/plans/{world.plan.plan_id}", headers=world.partner.auth)
    return str(
        next(s for s in plan_json.json()["supports"] if s["display_name"] == "Kai")["contact_id"]
    )


async def test_the_other_partner_is_asked_on_the_plan_page_and_sets_only_their_own_choice(
    client: AsyncTestClient[Any], db_pool: asyncpg.Pool, settings: Settings
) -> None:
    world = await build(client, db_pool, settings)
    kai = await added_by_alex(client, world, {"alert": "yes", "share_note": "yes"})
    before = await choices(client, world, kai)
    assert before["Alex"]["status"] == "agreed"
    assert (before["Alex"]["share_note"], before["Alex"]["share_signs"]) == (True, False)
    assert before["Sam"]["status"] == "asked"

    plan = f"/plans/{world.plan.plan_id}"
    action = f"{plan}/supports/{kai}/disclosure"
    await signed_in(client, world.plan.second)
    events = await db_pool.fetchval(EVENTS)
    page = (await client.get(plan)).text
    assert "Sam, Alex added Kai: may Kai be told when you ask for help?" in page
    assert (await client.get(action)).status_code == 405  # only the form's POST changes it
    unsigned = await client.post(action, data={"alert": "yes"}, follow_redirects=False)
    assert unsigned.status_code == 403
    assert "This form has expired" in unsigned.text
    signs_alone = await submit(client, plan, action, {"share_signs": "yes"})
    assert signs_alone.status_code == 422
    assert "Please check what you entered" in signs_alone.text
    assert await db_pool.fetchval(EVENTS) == events

    agreed = await submit(client, plan, action, {"alert": "yes", "share_signs": "yes"})
    assert agreed.status_code == 303
    assert agreed.headers["location"] == f"{plan}?saved=1#supports"
    after = await choices(client, world, kai)
    assert after["Sam"] == {**before["Sam"], "status": "agreed", "share_signs": True}
    assert after["Alex"] == before["Alex"]  # Sam's form never touches Alex's choice
    page = (await client.get(plan)).text
    assert "may Kai be told when you ask for help?" not in page
    assert "alerted when you ask for help, with your warning signs" in page

    refused = await submit(client, plan, action, {})
    assert refused.status_code == 303
    assert (await choices(client, world, kai))["Sam"]["status"] == "refused"
    assert "never told (your choice)" in (await client.get(plan)).text


async def test_the_adders_own_choice_comes_from_the_add_form(
    client: AsyncTestClient[Any], db_pool: asyncpg.Pool, settings: Settings
) -> None:
    world = await build(client, db_pool, settings)
    kai = await added_by_alex(client, world, {})  # every box left clear
    assert (await choices(client, world, kai))["Alex"]["status"] == "refused"


async def test_a_partner_of_another_plan_cannot_set_a_choice_here(
    client: AsyncTestClient[Any], db_pool: asyncpg.Pool, settings: Settings
) -> None:
    world = await build(client, db_pool, settings)
    before = await choices(client, world, world.asked_contact_id)
    await signed_in(client, world.stranger)
    action = f"/plans/{world.plan.plan_id}/supports/{world.asked_contact_id}/disclosure"
    answer = await submit(client, "/", action, {"alert": "yes"})
    assert answer.status_code == 403
    assert await choices(client, world, world.asked_contact_id) == before


async def test_my_do_not_involve_list_is_mine_alone_and_refuses_a_listed_support(
    client: AsyncTestClient[Any], db_pool: asyncpg.Pool, settings: Settings
) -> None:
    world = await build(client, db_pool, settings)
    await signed_in(client, world.partner)
    listed = await db_pool.fetchval(LISTED)
    page = await client.get("/me/privacy")
    assert page.status_code == 200
    assert "+15550100999" in page.text
    assert "an ex" in page.text
    assert await db_pool.fetchval(LISTED) == listed  # a GET changes nothing
    form = {"kind": "email", "address": " Kai@Example.ORG", "reason": "my old boss"}
    unsigned = await client.post("/me/privacy/do-not-involve", data=form, follow_redirects=False)
    assert unsigned.status_code == 403
    bad = await submit(
        client, "/me/privacy", "/me/privacy/do-not-involve", {**form, "address": "kai"}
    )
    assert bad.status_code == 422
    assert "address is not an e-mail address" in bad.text
    assert await db_pool.fetchval(LISTED) == listed
    added = await submit(client, "/me/privacy", "/me/privacy/do-not-involve", form)
    assert added.headers["location"] == "/me/privacy?saved=1#do-not-involve"
    mine = await client.get("/v1/participants/me/do-not-involve", headers=world.partner.auth)
    kai = next(e for e in mine.json()["entries"] if e["reason"] == "my old boss")
    assert (kai["kind"], kai["address"]) == ("email", "kai@example.org")  # as the API keeps it

    plan = f"/plans/{world.plan.plan_id}"
    fields = {"display_name": "Kai", "relationship": "friend", "email": "KAI@example.org"}
    refused = await submit(client, plan, plan + "/supports", {**fields, "alert": "yes"})
    assert refused.status_code == 409
    assert "do not involve" in refused.text

    await signed_in(client, world.stranger)
    theirs = (await client.get("/me/privacy")).text
    assert "my old boss" not in theirs
    assert "kai@example.org" not in theirs
    taken = await submit(
        client, "/me/privacy", f"/me/privacy/do-not-involve/{kai['entry_id']}/remove", {}
    )
    assert taken.status_code == 404
    assert await db_pool.fetchval(LISTED) == listed + 1

    await signed_in(client, world.partner)
    removed = await submit(
        client, "/me/privacy", f"/me/privacy/do-not-involve/{kai['entry_id']}/remove", {}
    )
    assert removed.status_code == 303
    assert "my old boss" not in (await client.get("/me/privacy")).text
    assert await db_pool.fetchval(LISTED) == listed


async def test_the_plan_page_marks_a_support_on_my_own_list_for_me_only(
    client: AsyncTestClient[Any], db_pool: asyncpg.Pool, settings: Settings
) -> None:
    world = await build(client, db_pool, settings)
    plan = f"/plans/{world.plan.plan_id}"
    await signed_in(client, world.plan.second)
    form = {"kind": "email", "address": "jo@example.org", "reason": "not Jo after all"}
    assert (
        await submit(client, "/me/privacy", "/me/privacy/do-not-involve", form)
    ).status_code == 303
    assert "on your do-not-involve list" in (await client.get(plan)).text
    await signed_in(client, world.partner)
    alex_sees = (await client.get(plan)).text
    assert "on your do-not-involve list" not in alex_sees
    assert "not Jo after all" not in alex_sees


async def test_my_data_downloads_as_the_apis_export_for_the_signed_in_participant_only(
    client: AsyncTestClient[Any], db_pool: asyncpg.Pool, settings: Settings
) -> None:
    world = await build(client, db_pool, settings)
    assert (await client.get("/me/export", follow_redirects=False)).status_code == 303
    await signed_in(client, world.partner)
    events, listed = await db_pool.fetchval(EVENTS), await db_pool.fetchval(LISTED)
    page = (await client.get("/me/privacy")).text
    assert 'href="/me/export"' in page
    csrf_of(page)  # the page carries its forms' token
    download = await client.get("/me/export")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("application/json")
    assert download.headers["content-disposition"] == 'attachment; filename="tandem-my-data.json"'
    assert "no-store" in download.headers["cache-control"]
    api = await client.get("/v1/participants/me/export", headers=world.partner.auth)
    mine, theirs = download.json(), api.json()
    assert mine["account"]["participant_id"] == world.partner.participant_id
    assert {k: v for k, v in mine.items() if k != "exported_at"} == {
        k: v for k, v in theirs.items() if k != "exported_at"
    }
    assert (await db_pool.fetchval(EVENTS), await db_pool.fetchval(LISTED)) == (events, listed)
    assert [e["reason"] for e in mine["do_not_involve"]] == ["an ex"]
