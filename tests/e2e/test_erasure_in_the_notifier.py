"""A partner erased over HTTP is gone from what the notifier holds: its ledger, JetStream's
streams and their store folder. Real planner, relay, nats-server and notifier; the planner's
own tables are the erasure's other tests' to read.
"""

import asyncio
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import nats
import pytest

from contracts.subjects import DELIVERY_STREAM, DLQ_STREAM, PLAN_STREAM
from notifier.erasing import streams
from tests.e2e.conftest import Stack
from tests.support.api import Person, consent_link_sent, register
from tests.support.eventually import eventually

pytestmark = pytest.mark.integration

NAME, EMAIL, PHONE = "Zephyrine-Q7", "zephyrine.q7@example.org", "+15550107070"
SIGN, NOTE = "Pacing the hallway (Q7-sign)", "A rough night (Q7-note)"
REFLECTION = "We talked it through (Q7-reflection)"
THEIRS = (NAME, EMAIL, PHONE, SIGN, NOTE, REFLECTION)
ALL_SUBJECTS = {PLAN_STREAM: "tandem.plan.>", DLQ_STREAM: "tandem.dlq.>"}
ALL_SUBJECTS[DELIVERY_STREAM] = "tandem.delivery.>"
LEDGER = """
SELECT t::text FROM notifier.deliveries AS t
UNION ALL SELECT t::text FROM notifier.activations AS t
UNION ALL SELECT t::text FROM notifier.signs AS t
"""


async def call(stack: Stack, method: str, path: str, who: Person | None, **body: Any) -> Any:
    headers = who.auth if who else {}
    answer = await stack.client.request(method, path, json=body or None, headers=headers)
    assert answer.status_code in {200, 201, 204}, answer.text
    return answer.json() if answer.content else None


async def in_the_ledger(stack: Stack) -> list[str]:
    conn = await asyncpg.connect(stack.db_url)
    try:
        text = "\n".join(row[0] for row in await conn.fetch(LEDGER))
    finally:
        await conn.close()
    return [s for s in THEIRS if s in text]


async def in_jetstream(stack: Stack) -> list[str]:
    client = await nats.connect(stack.nats_url)
    try:
        js = client.jetstream()
        stored = [
            m
            for stream, subjects in ALL_SUBJECTS.items()
            async for m in streams.stored(js, stream, subjects)
        ]
    finally:
        await client.close()
    text = b"\n".join(m.data for m in stored)
    return [s for s in THEIRS if s.encode() in text]


async def a_journey(stack: Stack) -> Person:
    """Zephyrine asks for help, their support answers, they resolve it: every kind of message."""
    hook = stack.webhooks.url
    zephyrine, voss = await register(stack.client, NAME), await register(stack.client, "Voss")
    plan_id = (await call(stack, "POST", "/v1/plans", zephyrine, title="Ours"))["plan_id"]
    invite = await call(stack, "POST", f"/v1/plans/{plan_id}/partner-invites", zephyrine)
    await call(stack, "POST", f"/v1/partner-invites/{invite['invite_code']}/accept", voss)
    own = [
        {"kind": "webhook", "address": f"{hook}/zephyrine"},
        {"kind": "email", "address": EMAIL},
        {"kind": "sms", "address": PHONE},
    ]
    await call(stack, "PUT", "/v1/participants/me/channels", zephyrine, channels=own)
    voss_hook = [{"kind": "webhook", "address": f"{hook}/voss"}]
    await call(stack, "PUT", "/v1/participants/me/channels", voss, channels=voss_hook)
    support = await call(
        stack,
        "POST",
        f"/v1/plans/{plan_id}/supports",
        zephyrine,
        display_name="Cassia",
        relationship="friend",
        channels=[{"kind": "webhook", "address": f"{hook}/cassia"}],
        disclosure={"alert": True, "share_signs": True, "share_note": True},
    )
    consent = await consent_link_sent(stack.webhooks, support["contact_id"])
    scope = {"share_signs": True, "share_notes": True}
    await call(stack, "POST", consent, None, decision="accept", scope=scope)
    sign = await call(
        stack,
        "POST",
        f"/v1/plans/{plan_id}/warning-signs",
        zephyrine,
        category="sleep",
        description=SIGN,
        level="setback",
    )
    activations = f"/v1/plans/{plan_id}/activations"
    started = await call(
        stack,
        "POST",
        activations,
        zephyrine,
        level="setback",
        note=NOTE,
        observed_sign_ids=[sign["sign_id"]],
    )

    def alerts() -> list[dict[str, Any]]:
        return [r.json() for r in stack.webhooks.requests if r.json().get("type") == "tandem.alert"]

    await eventually(lambda: len(alerts()) == 2, timeout=15)  # Voss and Cassia
    [cassia] = [a for a in alerts() if a["recipient_id"] == support["contact_id"]]
    await call(stack, "POST", urlsplit(cassia["ack_url"]).path, None)
    resolve = f"{activations}/{started['activation_id']}/resolve"
    await call(stack, "POST", resolve, zephyrine, outcome="resolved", reflection=REFLECTION)
    kinds = lambda: [r.json().get("type") for r in stack.webhooks.requests]  # noqa: E731
    await eventually(lambda: kinds().count("tandem.all_clear") == 2, timeout=20)
    return zephyrine


async def test_an_erased_partner_is_gone_from_the_ledger_the_streams_and_their_store(
    stack: Stack,
) -> None:
    zephyrine = await a_journey(stack)
    assert await in_the_ledger(stack)  # what the test looks for was there
    assert await in_jetstream(stack)

    await call(stack, "DELETE", "/v1/participants/me", zephyrine, confirm="erase")

    async def erased() -> None:
        assert await in_the_ledger(stack) == []
        assert await in_jetstream(stack) == []

    await eventually(erased, timeout=20)
    await asyncio.to_thread(stack.nats.stop)  # everything flushed to its folder
    blobs = [p.read_bytes() for p in stack.nats.data_dir.rglob("*") if p.is_file()]
    assert [s for s in THEIRS if any(s.encode() in blob for blob in blobs)] == []
    # The folder is where the messages were: the plan's other messages are still there.
    assert any(b"tandem.plan." in blob for blob in blobs)
