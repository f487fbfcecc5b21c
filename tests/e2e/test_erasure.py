"""What erasure promises: a participant erased after a full journey leaves none of their strings
in the PostgreSQL data folder, the JetStream store folder, `tandem events export` or the
logs; `tandem events verify` passes; the plan shows them as erased.

`tandem dev` runs as a user runs it (its own embedded PostgreSQL and NATS under one data
folder), its e-mail, SMS and webhooks going to this test's receivers. Zephyrine and
Borislav share a plan; Cassia, their support, consents through the link she is sent.
Zephyrine writes a sign, asks for help with a note (both partners' and Cassia's receivers
get the alert), Borislav answers, she resolves it with a reflection and checks in; then
she erases herself. Every string of hers is made up to be found only where it was put.
"""

import asyncio
import shutil
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import msgspec
import pytest

from planner.runtime.embedded.postgres import EmbeddedPostgres, with_database
from planner.runtime.stack import DATABASE_NAME
from tests.integration.web.forms import csrf_of
from tests.support.dev_stack import Dev, stop_servers_left_behind, until
from tests.support.eventually import eventually
from tests.support.receivers import SmsProvider, SmtpServer, WebhookReceiver

pytestmark = pytest.mark.integration

NAME = "Zephyrine-Q7"
EMAIL = "zephyrine.q7@example.org"
PHONE = "+15550107070"
SIGN = "Pacing the hallway at 3am (Q7-sign)"
NOTE = "A rough night, please call (Q7-note)"
REFLECTION = "We talked it through (Q7-reflection)"
CHECK_IN = "Tired but steady (Q7-check-in)"
STRINGS = (NAME, EMAIL, PHONE, SIGN, NOTE, REFLECTION, CHECK_IN)
OTHER = "Borislav-K2"  # the partner who keeps the plan: still there
SUPPORT = "Cassia-M3"
STARTED_SECONDS = 90.0
SETTLE_SECONDS = 60.0
# Every row of every table of the planner's and the notifier's, as text: what the files
# hold may be compressed (TOAST), the rows as the database reads them never are.
TABLES = """
SELECT format('%I.%I', table_schema, table_name) FROM information_schema.tables
WHERE table_schema IN ('public', 'notifier') AND table_type = 'BASE TABLE'
"""


class Journey(msgspec.Struct, kw_only=True):
    plan_id: str
    activation_id: str
    zephyrine: dict[str, str]
    borislav: dict[str, str]


@pytest.fixture
async def dev() -> AsyncIterator[tuple[Dev, WebhookReceiver, SmtpServer, SmsProvider]]:
    # Not under pytest's own temporary folder: a pytest starting meanwhile on this machine
    # makes that private again, and the embedded PostgreSQL runs as a user of its own.
    home = Path(tempfile.mkdtemp(prefix="tandem-erasure-"))
    async with WebhookReceiver() as hooks, SmtpServer() as smtp, SmsProvider() as sms:
        env = {
            "TANDEM_WEBHOOK_ALLOW_PRIVATE": "1",
            "TANDEM_SMTP_URL": smtp.url,
            "TANDEM_EMAIL_FROM": "Tandem <alerts@example.org>",
            "TANDEM_SMS_URL": sms.url,
        }
        running = Dev(home, env=env)
        try:
            await asyncio.to_thread(running.start)
            await asyncio.to_thread(
                until, running.notifier_ready, STARTED_SECONDS, "the notifier is ready"
            )
            yield running, hooks, smtp, sms
        finally:
            if not await asyncio.to_thread(running.interrupt):
                await asyncio.to_thread(stop_servers_left_behind, home)
            shutil.rmtree(home, ignore_errors=True)


async def ok(answer: httpx.Response, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json() if answer.content else None


def bearer(person: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {person['token']}"}


async def journey(client: httpx.AsyncClient, hooks: WebhookReceiver) -> Journey:
    z = await ok(await client.post("/v1/participants", json={"display_name": NAME}), 201)
    b = await ok(await client.post("/v1/participants", json={"display_name": OTHER}), 201)
    plan = await ok(await client.post("/v1/plans", json={"title": "Ours"}, headers=bearer(b)), 201)
    base = f"/v1/plans/{plan['plan_id']}"
    code = await ok(await client.post(f"{base}/partner-invites", headers=bearer(b)), 201)
    await ok(
        await client.post(f"/v1/partner-invites/{code['invite_code']}/accept", headers=bearer(z))
    )
    mine = [{"kind": "email", "address": EMAIL}, {"kind": "sms", "address": PHONE}]
    await ok(
        await client.put("/v1/participants/me/channels", json={"channels": mine}, headers=bearer(z))
    )
    theirs = [{"kind": "webhook", "address": f"{hooks.url}/borislav"}]
    await ok(
        await client.put(
            "/v1/participants/me/channels", json={"channels": theirs}, headers=bearer(b)
        )
    )

    added = await ok(
        await client.post(
            f"{base}/supports",
            json={
                "display_name": SUPPORT,
                "relationship": "friend",
                "channels": [{"kind": "webhook", "address": f"{hooks.url}/cassia"}],
                "disclosure": {"alert": True, "share_signs": True, "share_note": True},
            },
            headers=bearer(b),
        ),
        201,
    )
    cassia = added["contact_id"]
    await eventually(lambda: len(sent(hooks, "tandem.consent_request")) == 1, 30)
    [asked] = sent(hooks, "tandem.consent_request")
    link = httpx.URL(asked["consent_url"]).path
    scope = {"share_signs": True, "share_notes": True}
    await ok(await client.post(link, json={"decision": "accept", "scope": scope}))
    agreed = {"alert": True, "share_signs": True, "share_note": True}
    await ok(
        await client.put(f"{base}/supports/{cassia}/disclosure", json=agreed, headers=bearer(z))
    )

    sign = await ok(
        await client.post(
            f"{base}/warning-signs",
            json={"category": "sleep", "description": SIGN, "level": "setback"},
            headers=bearer(z),
        ),
        201,
    )
    started = await ok(
        await client.post(
            f"{base}/activations",
            json={"level": "setback", "note": NOTE, "observed_sign_ids": [sign["sign_id"]]},
            headers=bearer(z),
        ),
        201,
    )
    activation = f"{base}/activations/{started['activation_id']}"
    # Borislav's alert and Cassia's carry her name, sign and note.
    await eventually(
        lambda: len([a for a in sent(hooks, "tandem.alert") if NOTE in str(a)]) == 2, 30
    )
    await ok(await client.post(f"{activation}/acknowledge", headers=bearer(b)))
    await ok(
        await client.post(
            f"{activation}/resolve",
            json={"outcome": "resolved", "reflection": REFLECTION},
            headers=bearer(z),
        )
    )
    await eventually(lambda: len(sent(hooks, "tandem.all_clear")) == 2, 30)
    check_in = {"mood": 3, "craving": 4, "note": CHECK_IN}
    await ok(await client.post(f"{base}/check-ins", json=check_in, headers=bearer(z)), 201)
    return Journey(
        plan_id=plan["plan_id"],
        activation_id=started["activation_id"],
        zephyrine=z,
        borislav=b,
    )


async def borislavs_pages(client: httpx.AsyncClient, done: Journey) -> dict[str, str]:
    """The plan, its history and Zephyrine's activation as Borislav's browser shows them."""
    start = await client.get("/")
    signed_in = await client.post(
        "/sign-in/token",
        data={"token": done.borislav["token"], "_csrf_token": csrf_of(start.text)},
    )
    assert signed_in.status_code in (200, 303), signed_in.text
    plan = f"/plans/{done.plan_id}"
    paths = {
        "plan": plan,
        "history": plan + "/history",
        "activation": f"{plan}/activations/{done.activation_id}",
    }
    shown = {name: await client.get(path) for name, path in paths.items()}
    assert all(page.status_code == 200 for page in shown.values()), shown
    return {name: page.text for name, page in shown.items()}


def sent(hooks: WebhookReceiver, kind: str) -> list[Any]:
    return [p for p in hooks.payloads if p.get("type") == kind]


async def rows_text(home: Path) -> str:
    """Every row the database holds, as text."""
    url = with_database(EmbeddedPostgres(home / "postgres").dsn(), DATABASE_NAME)
    conn = await asyncpg.connect(url)
    try:
        tables = [row[0] for row in await conn.fetch(TABLES)]
        texts = [
            # The names come from the catalogue itself, quoted by format('%I').
            await conn.fetchval(f"SELECT string_agg(t::text, ' ') FROM {t} AS t")  # noqa: S608
            for t in tables
        ]
    finally:
        await conn.close()
    return " ".join(t for t in texts if t)


async def analyzed(home: Path) -> None:
    url = with_database(EmbeddedPostgres(home / "postgres").dsn(), DATABASE_NAME)
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("ANALYZE")
        sampled = await conn.fetchval("SELECT string_agg(s::text, ' ') FROM pg_stats AS s")
    finally:
        await conn.close()
    # Statistics sample many columns, but none that holds a person's text (planner
    # migration 0013, notifier migration 0009): her name is in no sample.
    assert "notifier,deliveries" in sampled
    assert NAME not in sampled


def on_disk(folder: Path, strings: Sequence[str]) -> list[str]:
    """Each string found in a file under ``folder``, with the file, byte for byte."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        blob = path.read_bytes()
        found += [f"{s!r} in {path.relative_to(folder)}" for s in strings if s.encode() in blob]
    return found


def tandem(dev: Dev, *args: str) -> subprocess.CompletedProcess[str]:
    """An operator command against the running stack's database."""
    return subprocess.run(  # noqa: S603
        [str(Path(sys.executable).parent / "tandem"), *args],
        env=dev.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_an_erased_partner_leaves_none_of_their_strings_anywhere(
    dev: tuple[Dev, WebhookReceiver, SmtpServer, SmsProvider],
) -> None:
    stack, hooks, smtp, sms = dev
    async with httpx.AsyncClient(base_url=stack.base_url, timeout=30) as client:
        done = await journey(client, hooks)
        # What her own channels got: the question about Cassia and "Borislav is on it".
        await eventually(lambda: len(smtp.messages) == 2 and len(sms.messages) == 2, 30)
        # Where her strings are before: the searches below find them where they are.
        assert NOTE in await rows_text(stack.home)
        assert on_disk(stack.home / "nats", [NOTE])
        assert on_disk(stack.home / "postgres", [NAME])
        await analyzed(stack.home)  # as autovacuum does: statistics sample the columns

        erased = await client.request(
            "DELETE",
            "/v1/participants/me",
            json={"confirm": "erase"},
            headers=bearer(done.zephyrine),
        )
        assert erased.status_code == 204, erased.text

        # The notifier has handled it once its ledger and the streams hold none of her strings.
        async def handled() -> None:
            assert not [s for s in STRINGS if s in await rows_text(stack.home)]
            assert not on_disk(stack.home / "nats", STRINGS)

        await eventually(handled, SETTLE_SECONDS, interval=0.5)
        plan = await ok(
            await client.get(f"/v1/plans/{done.plan_id}", headers=bearer(done.borislav))
        )
        pages = await borislavs_pages(client, done)
    assert [p["participant_id"] for p in plan["partners"]] == [done.borislav["participant_id"]]
    assert not [s for s in STRINGS if s in str(plan)]
    assert "[erased]" in str(plan)
    assert "[erased]" in pages["activation"]  # her note, as Borislav's page shows it
    assert "A partner was erased" in pages["history"]

    exported = tandem(stack, "events", "export")
    assert exported.returncode == 0, exported.stderr
    assert "plan.participant_erased" in exported.stdout
    verified = tandem(stack, "events", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    shown = tandem(stack, "plan", "show", done.plan_id)
    assert shown.returncode == 0, shown.stderr
    assert "[erased]" in shown.stdout
    assert OTHER in shown.stdout

    assert await asyncio.to_thread(stack.interrupt)  # everything flushed and stopped
    logs = "\n".join(
        p.read_text(errors="replace")
        for p in stack.home.rglob("*")
        if p.is_file() and (p == stack.output_path or p.name == "log" or p.suffix == ".log")
    )
    found = {
        "postgres data folder": on_disk(stack.home / "postgres", STRINGS),
        "jetstream store folder": on_disk(stack.home / "nats", STRINGS),
        "events export": [s for s in STRINGS if s in exported.stdout],
        "plan show": [s for s in STRINGS if s in shown.stdout],
        "pages": [s for s in STRINGS if any(s in page for page in pages.values())],
        "logs": [s for s in STRINGS if s in logs],
    }
    assert found == {where: [] for where in found}
