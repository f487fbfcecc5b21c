"""Issue 16, done when: partner B's activation does not reach a support B did not agree to,
nor anyone on B's "do not involve" list, nor a support whose consent expired; and what A
chose to share never leaks into B's alerts. Real planner, relay, NATS and notifier.
"""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from contracts.envelope import Metadata
from contracts.ids import ContactId
from contracts.vocabulary import ConsentScope
from planner import handlers
from planner.domain.commands import GiveConsent
from planner.handlers import consent_ends
from planner.store.chain import chain_key
from tests.e2e.conftest import SECRET, Stack
from tests.support.api import Couple, activate, agree, consent_link_sent, couple
from tests.support.eventually import eventually

pytestmark = pytest.mark.integration

EVERYTHING = {"levels": ["watch", "setback", "crisis"], "share_signs": True, "share_notes": True}


def hooked(stack: Stack, name: str, kind: str) -> list[dict[str, Any]]:
    return [
        r.json()
        for r in stack.webhooks.requests
        if r.target.endswith(f"/{name}") and r.json().get("type") == kind
    ]


async def add(stack: Stack, plan: Couple, name: str, *, consent: bool = True) -> str:
    """A contact of the first partner (who shares signs and note with them), with a webhook
    and an e-mail address; they consent to everything through their link."""
    answer = await stack.client.post(
        f"/v1/plans/{plan.plan_id}/supports",
        json={
            "display_name": name.title(),
            "relationship": "friend",
            "channels": [
                {"kind": "webhook", "address": f"{stack.webhooks.url}/{name}"},
                {"kind": "email", "address": f"{name}@example.org"},
            ],
            "disclosure": {"alert": True, "share_signs": True, "share_note": True},
        },
        headers=plan.first.auth,
    )
    assert answer.status_code == 201, answer.text
    contact_id: str = answer.json()["contact_id"]
    link = await consent_link_sent(stack.webhooks, contact_id)
    if consent:
        said = await stack.client.post(link, json={"decision": "accept", "scope": EVERYTHING})
        assert said.status_code == 200, said.text
    return contact_id


async def consented_long_ago(
    stack: Stack, plan: Couple, contact_id: str, days_ago: int = 400
) -> None:
    """The contact said yes through their link ``days_ago``: a yes lasts 365 days."""
    page = await stack.client.get(
        f"/v1/plans/{plan.plan_id}/events?limit=500", headers=plan.first.auth
    )
    [asked] = [
        e["data"]
        for e in page.json()["events"]
        if e["type"] == "plan.consent_requested" and e["data"]["contact_id"] == contact_id
    ]
    said = GiveConsent(
        now=datetime.now(UTC) - timedelta(days=days_ago),
        contact_id=ContactId(UUID(contact_id)),
        request_id=UUID(asked["request_id"]),  # type: ignore[arg-type]
        scope=ConsentScope(share_signs=True, share_notes=True),
    )
    metadata = Metadata(actor=f"contact:{contact_id}", correlation_id=UUID(int=16))
    pool = await asyncpg.create_pool(stack.db_url, min_size=1, max_size=1)
    try:
        await handlers.execute(
            pool, UUID(plan.plan_id), said, metadata, chain_key=chain_key(SECRET)
        )
    finally:
        await pool.close()


async def sign_of(stack: Stack, plan: Couple, description: str) -> str:
    made = await stack.client.post(
        f"/v1/plans/{plan.plan_id}/warning-signs",
        json={
            "category": "sleep",
            "description": description,
            "owner_id": plan.first.participant_id,
        },
        headers=plan.first.auth,
    )
    assert made.status_code == 201, made.text
    sign_id: str = made.json()["sign_id"]
    return sign_id


async def test_b_reaches_only_whom_b_agreed_to_never_listed_or_expired_and_a_choices_stay_a(
    stack: Stack,
) -> None:
    plan = await couple(stack.client)  # first: Alex (A); second: Sam (B)
    a, b = plan.first, plan.second
    saved = await stack.client.put(
        "/v1/participants/me/channels",
        json={"channels": [{"kind": "webhook", "address": f"{stack.webhooks.url}/sam"}]},
        headers=b.auth,
    )
    assert saved.status_code == 200, saved.text

    jo = await add(stack, plan, "jo")  # B never agrees
    kai = await add(stack, plan, "kai")  # B agrees to the alert, shares nothing
    lu = await add(stack, plan, "lu")  # B agrees, then lists Lu as never to involve
    mo = await add(stack, plan, "mo", consent=False)  # B agrees; Mo's consent ended
    await consented_long_ago(stack, plan, mo)
    for contact_id in (kai, lu, mo):
        await agree(stack.client, plan, contact_id, b)
    listed = await stack.client.post(
        "/v1/participants/me/do-not-involve",
        json={"kind": "email", "address": "Lu@Example.org", "reason": "private to Sam"},
        headers=b.auth,
    )
    assert listed.status_code == 201, listed.text

    # B was asked about each contact A added, on B's own channel, without their addresses.
    await eventually(lambda: len(hooked(stack, "sam", "tandem.disclosure_request")) == 4, 15)
    asked = hooked(stack, "sam", "tandem.disclosure_request")
    assert {q["contact_id"] for q in asked} == {jo, kai, lu, mo}
    assert not any("example.org" in q["text"] for q in asked)

    b_sign = await sign_of(stack, Couple(plan_id=plan.plan_id, first=b, second=a), "b-sign-text")
    b_started = await activate(
        stack.client,
        Couple(plan_id=plan.plan_id, first=b, second=a),
        "crisis",
        note="b-note-text",
        observed_sign_ids=[b_sign],
    )
    recipients = {r["recipient_id"] for r in b_started["recipients"]}
    assert recipients == {a.participant_id, kai}

    await eventually(lambda: len(hooked(stack, "kai", "tandem.alert")) == 1, 15)
    [to_kai] = hooked(stack, "kai", "tandem.alert")
    # Kai's scope and A's choice would show signs and note; B's choice shares neither.
    assert "signs" not in to_kai
    assert "note" not in to_kai
    assert "b-note-text" not in to_kai["text"]
    assert "b-sign-text" not in to_kai["text"]
    # One claim transaction per tier: had Jo, Lu or Mo been claimed, they came with Kai's.
    await eventually(
        lambda: len([m for m in stack.smtp.messages if "kai@example.org" in m.rcpt_tos]) == 2, 15
    )
    for name in ("jo", "lu", "mo"):
        assert hooked(stack, name, "tandem.alert") == []
        assert len([m for m in stack.smtp.messages if f"{name}@example.org" in m.rcpt_tos]) == 1

    # A's own activation reaches everyone A chose whose consent is current, with what A shares.
    a_sign = await sign_of(stack, plan, "a-sign-text")
    a_started = await activate(
        stack.client, plan, "setback", note="a-note-text", observed_sign_ids=[a_sign]
    )
    assert {r["recipient_id"] for r in a_started["recipients"]} == {b.participant_id, jo, kai, lu}
    await eventually(lambda: len(hooked(stack, "jo", "tandem.alert")) == 1, 15)
    [to_jo] = hooked(stack, "jo", "tandem.alert")
    assert to_jo["note"] == "a-note-text"
    assert to_jo["signs"] == ["a-sign-text"]
    assert hooked(stack, "mo", "tandem.alert") == []


async def test_a_contact_first_asked_is_told_what_is_kept_and_partners_hear_before_a_yes_ends(
    stack: Stack,
) -> None:
    plan = await couple(stack.client)
    saved = await stack.client.put(
        "/v1/participants/me/channels",
        json={"channels": [{"kind": "webhook", "address": f"{stack.webhooks.url}/sam"}]},
        headers=plan.second.auth,
    )
    assert saved.status_code == 200, saved.text
    jo = await add(stack, plan, "jo", consent=False)
    [asked] = hooked(stack, "jo", "tandem.consent_request")
    for said in ("Who asks", "What Tandem keeps about you", "For how long", "To withdraw"):
        assert said in asked["text"]

    await consented_long_ago(stack, plan, jo, days_ago=355)  # ends in 10 days
    pool = await asyncpg.create_pool(stack.db_url, min_size=1, max_size=2)
    try:
        assert await consent_ends.notice_due(pool, datetime.now(UTC), 14, chain_key(SECRET)) == 1
    finally:
        await pool.close()
    await eventually(lambda: len(hooked(stack, "sam", "tandem.consent_expiring")) == 1, 15)
    [told] = hooked(stack, "sam", "tandem.consent_expiring")
    assert told["contact_id"] == jo
    assert "ask them again" in told["text"]
