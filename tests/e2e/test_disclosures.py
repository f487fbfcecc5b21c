"""Issue 16, done when: the disclosures list of a participant matches, message for message,
what the receivers got about them. Real planner, relay, NATS and notifier; every message
is matched to its row by its delivery id (the webhook-id, the e-mail Message-ID), and the
fields a row names are exactly the person's details found in what was received.
"""

import re
from typing import Any

import asyncpg
import pytest

from tests.e2e.conftest import Stack
from tests.support.api import Couple, Person, agree, consent_link_sent, register
from tests.support.eventually import eventually

pytestmark = pytest.mark.integration

SIGN, NOTE = "quill-sign-marker", "quill-note-marker"
REACH = "quill@example.org"
# What of each partner a message could carry, as it reads in a webhook body or an e-mail.
MARKERS = {
    "Quill": {
        "name": "Quill",
        "level": "setback",
        "signs": SIGN,
        "note": NOTE,
        "contact_details": REACH,
    },
    "Voss": {"name": "Voss"},
}
KINDS = {  # an e-mail's subject, to the kind of message it is
    "asked for your help": "alert",
    "is on it": "ack_note",
    "All clear": "all_clear",
    "would like you to be a support contact": "consent_request",
    "be told when you ask for help": "disclosure_request",
}
REQUEST_REPORTS = """
SELECT payload->>'request_id' AS request_id FROM events
WHERE event_type = 'plan.alert_delivery_recorded'
  AND payload->>'message' IN ('consent_request', 'disclosure_request')
"""
Received = dict[str, tuple[str, str, str]]  # delivery id → (recipient id, kind, what it said)


def received(stack: Stack, addresses: dict[str, str]) -> Received:
    """Every message the receivers got, once per delivery id (a retry repeats the id)."""
    got: Received = {}
    for request in stack.webhooks.requests:
        body = request.json()
        kind = body["type"].removeprefix("tandem.")
        got[request.headers["webhook-id"]] = (body["recipient_id"], kind, request.body.decode())
    for mail in stack.smtp.messages:
        delivery_id = re.fullmatch(r"<(.+)@tandem>", mail.message_id or "")
        assert delivery_id is not None, mail.message_id
        subject = mail.subject or ""
        kind = next(k for said, k in KINDS.items() if said in subject)
        [to] = mail.rcpt_tos
        got[delivery_id[1]] = (addresses[to], kind, f"{subject}\n{mail.body}")
    return got


def about(got: Received, person: Person) -> set[tuple[str, str, str, tuple[str, ...]]]:
    """What the receivers got about ``person``: each message to someone else naming any of
    their details, with the fields found in it."""
    markers = MARKERS[person.name]
    found = set()
    for delivery_id, (to, kind, said) in got.items():
        fields = tuple(f for f, marker in markers.items() if marker in said)
        if to != person.participant_id and fields:
            found.add((delivery_id, to, kind, fields))
    return found


async def accounted(stack: Stack, person: Person) -> set[tuple[str, str, str, tuple[str, ...]]]:
    rows: list[dict[str, Any]] = []
    after: int | None = 0
    while after is not None:  # two at a time: the paging is part of what is tested
        page = await stack.client.get(
            f"/v1/participants/me/disclosures?after={after}&limit=2", headers=person.auth
        )
        assert page.status_code == 200, page.text
        rows += page.json()["disclosures"]
        after = page.json()["next_after"]
    assert [r["position"] for r in rows] == sorted(r["position"] for r in rows)
    assert all(r["status"] == "sent" for r in rows)
    return {
        (r["delivery_id"], r["to"]["recipient_id"], r["message"], tuple(r["fields"])) for r in rows
    }


async def contact(stack: Stack, plan: Couple, name: str, scope: dict[str, Any]) -> str:
    added = await stack.client.post(
        f"/v1/plans/{plan.plan_id}/supports",
        json={
            "display_name": name,
            "relationship": "friend",
            "channels": [{"kind": "webhook", "address": f"{stack.webhooks.url}/{name}"}],
            "disclosure": {"alert": True, "share_signs": True, "share_note": True},
        },
        headers=plan.first.auth,
    )
    assert added.status_code == 201, added.text
    contact_id: str = added.json()["contact_id"]
    link = await consent_link_sent(stack.webhooks, contact_id)
    said = await stack.client.post(link, json={"decision": "accept", "scope": scope})
    assert said.status_code == 200, said.text
    return contact_id


async def test_each_partners_disclosures_match_what_the_receivers_got_message_for_message(
    stack: Stack,
) -> None:
    client = stack.client
    quill, voss = await register(client, "Quill"), await register(client, "Voss")
    made = await client.post("/v1/plans", json={"title": "Ours"}, headers=quill.auth)
    plan = Couple(plan_id=made.json()["plan_id"], first=quill, second=voss)
    code = await client.post(f"/v1/plans/{plan.plan_id}/partner-invites", headers=quill.auth)
    joined = await client.post(
        f"/v1/partner-invites/{code.json()['invite_code']}/accept", headers=voss.auth
    )
    assert joined.status_code == 200, joined.text
    for person, channels in (
        (
            quill,
            [
                {"kind": "webhook", "address": f"{stack.webhooks.url}/quill"},
                {"kind": "email", "address": REACH},
            ],
        ),
        (voss, [{"kind": "webhook", "address": f"{stack.webhooks.url}/voss"}]),
    ):
        saved = await client.put(
            "/v1/participants/me/channels", json={"channels": channels}, headers=person.auth
        )
        assert saved.status_code == 200, saved.text

    jo = await contact(stack, plan, "jo", {"share_signs": True, "share_notes": True})
    kai = await contact(stack, plan, "kai", {})  # alerts without signs or notes
    for contact_id in (jo, kai):
        await agree(client, plan, contact_id, voss)
    sign = await client.post(
        f"/v1/plans/{plan.plan_id}/warning-signs",
        json={"category": "sleep", "description": SIGN, "level": "setback"},
        headers=quill.auth,
    )
    started = await client.post(
        f"/v1/plans/{plan.plan_id}/activations",
        json={"level": "setback", "note": NOTE, "observed_sign_ids": [sign.json()["sign_id"]]},
        headers=quill.auth,
    )
    assert started.status_code == 201, started.text
    activation = f"/v1/plans/{plan.plan_id}/activations/{started.json()['activation_id']}"
    await eventually(
        lambda: (
            len([r for r in stack.webhooks.requests if r.json()["type"] == "tandem.alert"]) == 3
        ),
        15,
    )
    acked = await client.post(f"{activation}/acknowledge", headers=voss.auth)
    assert acked.status_code == 200, acked.text
    await eventually(lambda: len(stack.smtp.messages) == 1, 15)  # "Voss is on it", by e-mail
    resolved = await client.post(
        f"{activation}/resolve", json={"outcome": "resolved"}, headers=quill.auth
    )
    assert resolved.status_code == 200, resolved.text

    addresses = {REACH: quill.participant_id}
    # 2 consent requests, 2 questions to Voss, 3 alerts, 2 notes to Quill, 3 all-clears.
    await eventually(lambda: len(received(stack, addresses)) == 12, 15)
    got = received(stack, addresses)
    for person in (quill, voss):
        expected = about(got, person)
        assert expected  # each of them was told about
        await eventually_equal(stack, person, expected)

    # Each request's reports name it: the rows are matched to their request, not guessed.
    conn = await asyncpg.connect(stack.db_url)
    try:
        requests = await conn.fetch(REQUEST_REPORTS)
    finally:
        await conn.close()
    assert len(requests) == 4
    assert all(r["request_id"] for r in requests)

    quill_expected = {row[2:] for row in about(got, quill)}
    assert ("alert", ("name", "level", "signs", "note", "contact_details")) in quill_expected
    assert ("alert", ("name", "level", "contact_details")) in quill_expected  # Kai's scope
    assert {row[2:] for row in about(got, voss)} == {("ack_note", ("name",))}


async def eventually_equal(
    stack: Stack, person: Person, expected: set[tuple[str, str, str, tuple[str, ...]]]
) -> None:
    """The accounting matches once the notifier has reported every delivery."""

    async def matches() -> None:
        assert await accounted(stack, person) == expected

    await eventually(matches, 15, interval=0.2)
