"""No secret at rest (issue 14, finding 3): after a whole journey, no table of either schema
holds any shown-once secret or capability link that was seen over HTTP or by a receiver.

Invite codes, bearer tokens and webhook signing secrets are shown once; consent and
acknowledge links are capabilities. Each is stored only as a hash, or derived again from
ids and the service secret when needed, so a copy of the database (or a backup) lets no one
join a plan, act as a contact or sign as Tandem.
"""

import re
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import pytest

from tests.e2e.conftest import PUBLIC_URL, Stack
from tests.support.api import Person, consent_link_sent, register
from tests.support.eventually import eventually

pytestmark = pytest.mark.integration

LINK = re.compile(r"/v1/(?:acks|consents)/([A-Za-z0-9_-]+\.([A-Za-z0-9_-]+))")
SCHEMAS = ("public", "notifier")
TABLES = """
SELECT table_schema, table_name FROM information_schema.tables
WHERE table_schema = ANY($1::text[]) AND table_type = 'BASE TABLE'
ORDER BY table_schema, table_name
"""
COLUMNS = """
SELECT column_name, data_type FROM information_schema.columns
WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position
"""
UNSENT = "SELECT count(*) FROM notifier.deliveries WHERE status = 'claimed'"


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def every_row_as_text(db_url: str) -> dict[str, list[str]]:
    """Each table of both schemas → its rows, every column cast to text (bytea decoded)."""
    conn = await asyncpg.connect(db_url)
    try:
        rows: dict[str, list[str]] = {}
        for table in await conn.fetch(TABLES, list(SCHEMAS)):
            schema, name = table["table_schema"], table["table_name"]
            columns = [
                f"encode({quoted(c['column_name'])}, 'escape')"
                if c["data_type"] == "bytea"
                else f"{quoted(c['column_name'])}::text"
                for c in await conn.fetch(COLUMNS, schema, name)
            ]
            # Names from the catalog, quoted: nothing here comes from a request.
            listed, where = ", ".join(columns), f"{quoted(schema)}.{quoted(name)}"
            query = f"SELECT concat_ws(' ', {listed}) FROM {where}"  # noqa: S608
            rows[f"{schema}.{name}"] = [row[0] for row in await conn.fetch(query)]
        return rows
    finally:
        await conn.close()


def received_texts(stack: Stack) -> list[str]:
    """Everything the receivers got: webhook bodies, e-mails, text messages."""
    return [
        *(r.body.decode() for r in stack.webhooks.requests),
        *(m.body for m in stack.smtp.messages),
        *(m["body"] for m in stack.sms.messages),
    ]


async def post(stack: Stack, path: str, key: str, who: Person | None = None, **body: Any) -> Any:
    headers = {"Idempotency-Key": key, **(who.auth if who else {})}
    answer = await stack.client.post(path, json=body or None, headers=headers)
    assert answer.status_code in {200, 201}, answer.text
    return answer.json()


async def test_after_a_whole_journey_no_table_holds_a_secret_or_a_link(stack: Stack) -> None:
    client, hook = stack.client, stack.webhooks.url
    alex, sam = await register(client, "Alex"), await register(client, "Sam")
    secrets = {"alex's token": alex.token, "sam's token": sam.token}

    plan_id = (await post(stack, "/v1/plans", "plan-1", alex, title="Ours"))["plan_id"]
    invites = f"/v1/plans/{plan_id}/partner-invites"
    invite = await post(stack, invites, "invite-1", alex)
    assert await post(stack, invites, "invite-1", alex) == invite  # the repeat shows it again
    secrets["invite code"] = invite["invite_code"]
    await post(stack, f"/v1/partner-invites/{invite['invite_code']}/accept", "join-1", sam)

    for person in (alex, sam):
        channels = [{"kind": "webhook", "address": f"{hook}/{person.name.lower()}"}]
        saved = await client.put(
            "/v1/participants/me/channels", json={"channels": channels}, headers=person.auth
        )
        assert saved.status_code == 200, saved.text
        secrets[f"{person.name}'s webhook secret"] = saved.json()["channels"][0]["signing_secret"]

    support = {
        "display_name": "Jo",
        "relationship": "sponsor",
        "channels": [
            {"kind": "webhook", "address": f"{hook}/jo"},
            {"kind": "email", "address": "jo@example.org"},
            {"kind": "sms", "address": "+15550188"},
        ],
    }
    supports = f"/v1/plans/{plan_id}/supports"
    jo = await post(stack, supports, "support-1", alex, **support)
    assert await post(stack, supports, "support-1", alex, **support) == jo
    [jo_secret] = [c["signing_secret"] for c in jo["channels"] if c["kind"] == "webhook"]
    secrets["jo's webhook secret"] = jo_secret

    consent = await consent_link_sent(stack.webhooks, jo["contact_id"])
    scope = {"levels": ["crisis"], "share_notes": True}
    await post(stack, consent, "consent-1", decision="accept", scope=scope)

    activations = f"/v1/plans/{plan_id}/activations"
    activation = await post(stack, activations, "activate-1", alex, level="crisis", note="Hard")
    alerts = lambda: [  # noqa: E731
        r.json() for r in stack.webhooks.requests if r.json().get("type") == "tandem.alert"
    ]
    await eventually(lambda: len(alerts()) == 2, timeout=15)  # Sam and Jo, by webhook
    [jo_alert] = [a for a in alerts() if a["recipient_id"] == jo["contact_id"]]
    await post(stack, urlsplit(jo_alert["ack_url"]).path, "ack-1")
    resolve = f"{activations}/{activation['activation_id']}/resolve"
    await post(stack, resolve, "resolve-1", alex, outcome="resolved")

    def settled() -> bool:  # the all-clears (4 channels alerted) and the note to Alex
        kinds = [r.json().get("type") for r in stack.webhooks.requests]
        return kinds.count("tandem.all_clear") == 2 and "tandem.ack_note" in kinds

    await eventually(settled, timeout=20)

    async def nothing_left_to_send() -> None:
        conn = await asyncpg.connect(stack.db_url)
        try:
            assert await conn.fetchval(UNSENT) == 0
        finally:
            await conn.close()

    await eventually(nothing_left_to_send, timeout=20)
    for text in received_texts(stack):
        for token, signature in LINK.findall(text):
            secrets[f"link …{signature[-6:]}"] = token
            secrets[f"signature of link …{signature[-6:]}"] = signature
    assert sum(name.startswith("link") for name in secrets) >= 3  # consent link, two ack links
    assert PUBLIC_URL in jo_alert["ack_url"]

    tables = await every_row_as_text(stack.db_url)
    # The scan does read what is stored, bytea and jsonb alike.
    assert any(jo["contact_id"] in row for row in tables["public.idempotency_keys"])
    assert any(f"{hook}/jo" in row for row in tables["notifier.deliveries"])
    found = {
        (name, table)
        for table, rows in tables.items()
        for row in rows
        for name, secret in secrets.items()
        if secret in row
    }
    assert found == set()
