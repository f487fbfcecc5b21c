"""Signing in on another device by a one-time link sent to one of the partner's channels."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest
from litestar.testing import AsyncTestClient

from common.links import sign_in_link
from planner.settings import Settings
from planner.web.session import COOKIE
from tests.integration.web.forms import csrf_of, submit
from tests.support.api import couple

pytestmark = pytest.mark.integration


async def link_requests(client: AsyncTestClient[Any], plan: Any) -> list[dict[str, Any]]:
    page = await client.get(f"/v1/plans/{plan.plan_id}/events?limit=500", headers=plan.first.auth)
    return [e["data"] for e in page.json()["events"] if e["type"] == "plan.sign_in_link_requested"]


async def test_a_link_goes_to_the_partners_own_channel_and_signs_in_once(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    plan = await couple(client)
    channels = {"channels": [{"kind": "email", "address": "alex@example.org"}]}
    await client.put("/v1/participants/me/channels", json=channels, headers=plan.first.auth)
    for address in ("nobody@example.org", " alex@example.org ", "alex@example.org"):
        sent = await submit(client, "/", "/sign-in/link", {"address": address})
        assert sent.status_code == 200
        assert "If this address belongs to a Tandem account" in sent.text  # the same either way
    [asked] = await link_requests(client, plan)  # the second ask, within a minute, sent none
    assert asked["participant_id"] == plan.first.participant_id
    assert asked["channel"] == {"kind": "email", "address": "alex@example.org"}
    assert "token" not in str(asked)
    link = sign_in_link(
        settings.secret_key,
        settings.base_url,
        UUID(plan.plan_id),
        UUID(asked["participant_id"]),
        UUID(asked["link_id"]),
        datetime.fromisoformat(asked["expires_at"]),
    )
    path = link.removeprefix(settings.base_url)
    client.cookies = httpx.Cookies()
    for _ in range(2):  # opening it (a mail scanner, a preview) signs nobody in
        shown = await client.get(path)
        assert "Sign in on this device" in shown.text
        assert COOKIE not in shown.headers.get("set-cookie", "")
    taken = await submit(client, path, path, {})
    assert taken.status_code == 303
    assert "Hi Alex" in (await client.get("/")).text
    client.cookies = httpx.Cookies({"tandem_csrf": client.cookies.get("tandem_csrf") or ""})
    again = await client.get(path)
    assert again.status_code == 410
    assert "used already" in again.text
    page = await client.get("/")
    reused = await client.post(
        path, data={"_csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert reused.status_code == 410
    assert COOKIE not in reused.headers.get("set-cookie", "")


async def test_an_expired_link_signs_nobody_in(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    plan = await couple(client)
    link = sign_in_link(
        settings.secret_key,
        settings.base_url,
        UUID(plan.plan_id),
        UUID(plan.first.participant_id),
        UUID("01950000-0000-7000-8000-000000000077"),
        datetime.now(UTC) - timedelta(seconds=1),
    )
    path = link.removeprefix(settings.base_url)
    shown = await client.get(path)
    assert shown.status_code == 410
    assert "has expired" in shown.text
    taken = await client.post(path, data={"_csrf_token": csrf_of((await client.get("/")).text)})
    assert taken.status_code == 410
    assert (await client.get(path.replace("/sign-in/", "/ack/"))).status_code == 404
