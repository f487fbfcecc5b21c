"""Builders that drive the real HTTP API: participants, plans, partners, consented supports."""

from typing import Any
from urllib.parse import urlsplit

import msgspec
from litestar.testing import AsyncTestClient


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


async def add_support(
    client: AsyncTestClient[Any],
    plan: Couple,
    name: str = "Jo",
    *,
    consent: str | None = "accept",
    scope: dict[str, Any] | None = None,
) -> tuple[str, str]:
    """A support contact; with ``consent`` "accept" or "decline" they answer their link."""
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
    contact_id, url = response.json()["contact_id"], response.json()["consent_url"]
    if consent is not None:
        body: dict[str, Any] = {"decision": consent}
        if scope is not None:
            body["scope"] = scope
        answer = await client.post(consent_path(url), json=body)
        assert answer.status_code == 200, answer.text
    return contact_id, consent_path(url)


async def webhook_contact(
    client: AsyncTestClient[Any],
    plan: Couple,
    url: str,
    name: str = "Jo",
    relationship: str = "friend",
) -> str:
    """A support contact whose only channel is the webhook at ``url``, who has consented."""
    answer = await client.post(
        f"/v1/plans/{plan.plan_id}/supports",
        json={
            "display_name": name,
            "relationship": relationship,
            "channels": [{"kind": "webhook", "address": url}],
        },
        headers=plan.first.auth,
    )
    assert answer.status_code == 201, answer.text
    decided = await client.post(
        consent_path(answer.json()["consent_url"]), json={"decision": "accept"}
    )
    assert decided.status_code == 200, decided.text
    contact_id: str = answer.json()["contact_id"]
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
