"""Builders that drive the real HTTP API: participants, plans, partners, consented supports."""

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import msgspec
from litestar.testing import AsyncTestClient

from common import links
from tests.support.eventually import eventually
from tests.support.receivers import HttpReceiver


class Person(msgspec.Struct, kw_only=True):
    participant_id: str
    token: str
    name: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Couple(msgspec.Struct, kw_only=True):
    plan_id: str
    first: Person
    second: Person


async def register(client: AsyncTestClient[Any], name: str) -> Person:
    response = await client.post("/v1/participants", json={"display_name": name})
    assert response.status_code == 201, response.text
    body = response.json()
    return Person(participant_id=body["participant_id"], token=body["token"], name=name)


async def create_plan(client: AsyncTestClient[Any], owner: Person, title: str = "Our plan") -> str:
    response = await client.post("/v1/plans", json={"title": title}, headers=owner.auth)
    assert response.status_code == 201, response.text
    plan_id: str = response.json()["plan_id"]
    return plan_id


async def couple(client: AsyncTestClient[Any]) -> Couple:
    """Two partners sharing one plan, the second joined through an invite code."""
    first = await register(client, "Alex")
    second = await register(client, "Sam")
    plan_id = await create_plan(client, first)
    invite = await client.post(f"/v1/plans/{plan_id}/partner-invites", headers=first.auth)
    assert invite.status_code == 201, invite.text
    code = invite.json()["invite_code"]
    joined = await client.post(f"/v1/partner-invites/{code}/accept", headers=second.auth)
    assert joined.status_code == 200, joined.text
    return Couple(plan_id=plan_id, first=first, second=second)


def consent_path(consent_url: str) -> str:
    return urlsplit(consent_url).path


TEST_SECRET = b"test-secret-key-not-for-production"  # the API tests' service secret


async def consent_link(
    client: AsyncTestClient[Any], plan: Couple, contact_id: str, secret: bytes = TEST_SECRET
) -> str:
    """The path of the link the notifier sends a contact for their latest consent request.

    No notifier runs beside the API tests, and no answer to a partner carries the link: so
    this builds it the way the notifier does, from the plan's ``plan.consent_requested``
    event and the service secret (the e2e tests read it from the message the contact got).
    """
    page = await client.get(f"/v1/plans/{plan.plan_id}/events?limit=500", headers=plan.first.auth)
    assert page.status_code == 200, page.text
    requests = [
        e["data"]
        for e in page.json()["events"]
        if e["type"] == "plan.consent_requested" and e["data"]["contact_id"] == contact_id
    ]
    assert requests, "the contact was never asked"
    request = requests[-1]
    url = links.consent_link(
        secret,
        "http://tandem.test",
        UUID(plan.plan_id),
        UUID(contact_id),
        UUID(request["request_id"]),
        datetime.fromisoformat(request["expires_at"]),
    )
    return consent_path(url)


async def add_support(
    client: AsyncTestClient[Any],
    plan: Couple,
    name: str = "Jo",
    *,
    consent: str | None = "accept",
    scope: dict[str, Any] | None = None,
    secret: bytes = TEST_SECRET,
) -> tuple[str, str]:
    """A support contact, and the path of the consent link they were sent; with ``consent``
    "accept" or "decline" they answer through it."""
    response = await client.post(
        f"/v1/plans/{plan.plan_id}/supports",
        json={
            "display_name": name,
            "relationship": "sponsor",
            "channels": [{"kind": "email", "address": f"{name.lower()}@example.org"}],
        },
        headers=plan.first.auth,
    )
    assert response.status_code == 201, response.text
    assert "/v1/consents/" not in response.text  # a consent link never goes to a partner
    assert "/consent/" not in response.text
    contact_id = response.json()["contact_id"]
    path = await consent_link(client, plan, contact_id, secret)
    if consent is not None:
        body: dict[str, Any] = {"decision": consent}
        if scope is not None:
            body["scope"] = scope
        answer = await client.post(path, json=body)
        assert answer.status_code == 200, answer.text
    return contact_id, path


async def agree(
    client: AsyncTestClient[Any],
    plan: Couple,
    contact_id: str,
    who: Person,
    *,
    alert: bool = True,
    share_signs: bool = False,
    share_note: bool = False,
) -> None:
    """``who`` (a partner) sets their own choice about the contact: may they be alerted
    when ``who`` asks for help, and see ``who``'s signs or note."""
    answer = await client.put(
        f"/v1/plans/{plan.plan_id}/supports/{contact_id}/disclosure",
        json={"alert": alert, "share_signs": share_signs, "share_note": share_note},
        headers=who.auth,
    )
    assert answer.status_code == 200, answer.text


def consent_requests(hook: HttpReceiver, contact_id: str) -> list[str]:
    """The paths of the consent links a contact got on their webhook, oldest first."""
    return [
        consent_path(r.json()["consent_url"])
        for r in hook.requests
        if r.json().get("type") == "tandem.consent_request"
        and r.json().get("recipient_id") == contact_id
    ]


async def consent_link_sent(hook: HttpReceiver, contact_id: str, count: int = 1) -> str:
    """The path of the consent link in the ``count``-th request the contact got on their
    webhook, once it came."""
    await eventually(lambda: len(consent_requests(hook, contact_id)) >= count, timeout=15)
    return consent_requests(hook, contact_id)[count - 1]


async def webhook_contact(
    client: AsyncTestClient[Any],
    plan: Couple,
    hook: HttpReceiver,
    name: str = "Jo",
    relationship: str = "friend",
    path: str = "",
) -> str:
    """A support contact whose only channel is ``hook`` (at ``path``), who consented through
    the link the notifier sent there."""
    answer = await client.post(
        f"/v1/plans/{plan.plan_id}/supports",
        json={
            "display_name": name,
            "relationship": relationship,
            "channels": [{"kind": "webhook", "address": hook.url + path}],
        },
        headers=plan.first.auth,
    )
    assert answer.status_code == 201, answer.text
    contact_id: str = answer.json()["contact_id"]
    link = await consent_link_sent(hook, contact_id)
    decided = await client.post(link, json={"decision": "accept"})
    assert decided.status_code == 200, decided.text
    return contact_id


async def activate(
    client: AsyncTestClient[Any], plan: Couple, level: str = "setback", **extra: Any
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/plans/{plan.plan_id}/activations",
        json={"level": level, **extra},
        headers=plan.first.auth,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """The answer is an RFC 9457 problem details body with this status."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    return body
