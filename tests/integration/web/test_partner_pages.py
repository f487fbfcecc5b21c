"""A partner's pages over HTTP: account, plan, invite, content, activation, check-in, history.

Each person is a cookie jar (a browser of their own) on one client.
"""

import re
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient

from planner.web.session import COOKIE
from tests.integration.web.forms import submit

pytestmark = pytest.mark.integration


async def person(client: AsyncTestClient[Any], name: str) -> httpx.Cookies:
    """Sign up as ``name`` in a fresh browser; the browser's cookies."""
    client.cookies = httpx.Cookies()
    answer = await submit(client, "/", "/sign-up", {"display_name": name})
    assert answer.status_code == 303, answer.text
    cookie = next(v for v in answer.headers.get_list("set-cookie") if v.startswith(COOKIE))
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    assert "Secure" not in cookie  # served over http here
    return httpx.Cookies(client.cookies)


async def as_(client: AsyncTestClient[Any], cookies: httpx.Cookies) -> AsyncTestClient[Any]:
    client.cookies = cookies
    return client


async def new_plan(client: AsyncTestClient[Any]) -> str:
    made = await submit(client, "/", "/plans", {"title": "Our plan"})
    assert made.status_code == 303, made.text
    plan_path: str = made.headers["location"]
    return plan_path


async def test_a_couple_keeps_their_plan_and_asks_for_help_from_pages(
    client: AsyncTestClient[Any],
) -> None:
    alex = await person(client, "Alex")
    plan = await new_plan(client)
    invite = await submit(client, plan, plan + "/invite", {})
    code = re.search(r'id="invite-code">([^<]+)<', invite.text)
    assert code
    await person(client, "Sam")
    joined = await submit(client, f"/?code={code.group(1)}", "/join", {"code": code.group(1)})
    assert joined.headers["location"] == plan
    assert "Kept by Alex and Sam" in (await client.get(plan)).text
    saved = await submit(client, "/me", "/me/channels", {"email": "sam@example.org", "sms": ""})
    assert saved.status_code == 303

    await as_(client, alex)
    for action, fields in [
        ("/signs", {"category": "sleep", "description": "Up past 2", "level": "setback"}),
        ("/steps", {"description": "Call Sam", "level": "setback"}),
        (
            "/supports",
            {
                "display_name": "Jo",
                "relationship": "sponsor",
                "email": "jo@example.org",
                "alert": "yes",
            },
        ),
    ]:
        answer = await submit(client, plan, plan + action, fields)
        assert answer.status_code == 303, answer.text
    page = (await client.get(plan)).text
    assert "Up past 2" in page
    assert "Call Sam" in page
    assert "asked, no answer yet" in page

    # Each sign and step carries its own forms to change it and to retire or remove it.
    for kind, end, label in [
        ("signs", "retire", "Retire this sign"),
        ("steps", "remove", "Remove this step"),
    ]:
        revise = re.search(rf'action="({plan}/{kind}/[0-9a-f-]+/revise)"', page)
        assert revise, kind
        assert f'action="{revise.group(1).removesuffix("/revise")}/{end}"' in page
        assert label in page
    revised = await submit(client, plan, revise.group(1), {"description": "Call Sam, then walk"})
    assert revised.status_code == 303, revised.text
    assert "Call Sam, then walk" in (await client.get(plan)).text

    confirm = await client.get(plan + "/activate/setback")
    key = re.search(r'name="key" value="([^"]+)"', confirm.text)
    assert key
    fields = {"level": "setback", "key": key.group(1), "note": "bad night"}
    first = await submit(client, plan + "/activate/setback", plan + "/activations", fields)
    again = await submit(client, plan + "/activate/setback", plan + "/activations", fields)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]  # a double tap: one activation
    live = first.headers["location"]
    shown = await client.get(live)
    assert "Alex asked for help" in shown.text
    assert "Sam" in (await client.get(live + "/live")).text
    resolved = await submit(
        client, live, live + "/resolve", {"outcome": "resolved", "reflection": "talked"}
    )
    assert resolved.status_code == 303
    assert "Resolved" in (await client.get(live)).text

    checked = await submit(
        client, plan + "/check-in", plan + "/check-ins", {"mood": "4", "craving": "2", "note": "ok"}
    )
    assert checked.status_code == 303
    assert "mood 4/5, craving 2/10" in (await client.get(plan)).text
    history = await client.get(plan + "/history")
    assert history.text.index("Check-in") < history.text.index("Plan created")
    assert "The plan then" in (await client.get(plan + "/history?as_of=2999-01-01T00:00")).text


async def test_partner_pages_need_a_session_and_a_partner(client: AsyncTestClient[Any]) -> None:
    await person(client, "Alex")
    plan = await new_plan(client)
    client.cookies = httpx.Cookies()
    for path in (plan, plan + "/history", plan + "/check-in", plan + "/activate/crisis", "/me"):
        answer = await client.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/?")
    await person(client, "Kim")
    refused = await client.get(plan)
    assert refused.status_code == 403
    assert "This is not open to you" in refused.text
    missing = await client.get("/plans/01950000-0000-7000-8000-000000000000")
    assert missing.status_code == 404
    posted = await submit(client, "/", plan + "/signs", {"category": "x", "description": "y"})
    assert posted.status_code == 403


async def test_a_bad_form_is_refused_in_plain_words(client: AsyncTestClient[Any]) -> None:
    await person(client, "Alex")
    plan = await new_plan(client)
    refused = await submit(client, plan, plan + "/signs", {"category": "", "description": "y"})
    assert refused.status_code == 422
    assert "Please check what you entered" in refused.text
    assert "category: please fill this in" in refused.text
    assert "Traceback" not in refused.text
