"""Plans set up through the public API, as a couple would: two partners, one support
contact whose only channel is a webhook at the benchmark's receiver, consent given."""

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from bench.receiver import Receiver

SETUP_CONCURRENCY = 16


@dataclass(frozen=True)
class BenchPlan:
    plan_id: str
    auth: dict[str, str]  # the activating partner's
    webhook_secret: str


async def _ok(response: httpx.Response, status: int) -> dict[str, Any]:
    if response.status_code != status:
        raise RuntimeError(f"{response.request.url.path}: {response.status_code} {response.text}")
    body: dict[str, Any] = response.json()
    return body


async def _participant(client: httpx.AsyncClient, name: str) -> dict[str, str]:
    body = await _ok(await client.post("/v1/participants", json={"display_name": name}), 201)
    return {"Authorization": f"Bearer {body['token']}"}


async def one_plan(client: httpx.AsyncClient, receiver: Receiver, index: int) -> BenchPlan:
    """A plan whose contact consents through the link the receiver got on their behalf."""
    webhook_url = f"{receiver.url}/{index}"
    alex, sam = await _participant(client, "Alex"), await _participant(client, "Sam")
    plan = await _ok(await client.post("/v1/plans", json={"title": "bench"}, headers=alex), 201)
    plan_id = str(plan["plan_id"])
    invite = await _ok(await client.post(f"/v1/plans/{plan_id}/partner-invites", headers=alex), 201)
    await _ok(
        await client.post(f"/v1/partner-invites/{invite['invite_code']}/accept", headers=sam), 200
    )
    support = await _ok(
        await client.post(
            f"/v1/plans/{plan_id}/supports",
            json={
                "display_name": "Jo",
                "relationship": "sponsor",
                "channels": [{"kind": "webhook", "address": webhook_url}],
            },
            headers=alex,
        ),
        201,
    )
    consent = urlsplit(await receiver.consent_for(str(support["contact_id"]))).path
    await _ok(await client.post(consent, json={"decision": "accept"}), 200)
    [channel] = support["channels"]
    return BenchPlan(plan_id=plan_id, auth=alex, webhook_secret=str(channel["signing_secret"]))


async def many_plans(client: httpx.AsyncClient, receiver: Receiver, count: int) -> list[BenchPlan]:
    slots = asyncio.Semaphore(SETUP_CONCURRENCY)

    async def bounded(index: int) -> BenchPlan:
        async with slots:
            return await one_plan(client, receiver, index)

    return await asyncio.gather(*(bounded(i) for i in range(count)))
