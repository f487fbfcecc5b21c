"""``tandem notifier replay``: the notifier's decisions again over the JetStream history.

A replay claims nothing the ledger holds, and never pages anyone about an activation that
is over, even when the ledger was lost.
"""

import asyncio
import os
import sys
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from notifier.replay.replayer import Claim, Report, replay
from tests.e2e.conftest import PUBLIC_URL, SECRET, Stack
from tests.e2e.test_alerts import support
from tests.e2e.test_answers import partner_webhook, resolve, to
from tests.support.api import Couple, activate, couple
from tests.support.database import value_of
from tests.support.eventually import eventually
from tests.support.processes import ACTIVATION_STATUS, UNSENT

pytestmark = pytest.mark.integration

LEDGER_TABLES = ("activations", "deliveries", "timers", "signs")
TANDEM = Path(sys.executable).parent / "tandem"


class History:
    def __init__(self, plan: Couple, over: str, still_open: str) -> None:
        self.plan = plan
        self.over = over  # activated, then resolved
        self.still_open = still_open  # activated, nobody answered yet


def alerts_for(stack: Stack, activation_id: str) -> list[Any]:
    return [
        r for r in to(stack, "tandem.alert", "jo") if r.json()["activation_id"] == activation_id
    ]


async def ledger_rows(stack: Stack) -> dict[str, int]:
    conn = await asyncpg.connect(stack.db_url)
    try:
        return {
            # Table names come from this module's constant, never from input.
            table: await conn.fetchval(f"SELECT count(*) FROM notifier.{table}")  # noqa: S608
            for table in LEDGER_TABLES
        }
    finally:
        await conn.close()


async def nothing_left_to_send(stack: Stack) -> bool:
    return bool(await value_of(stack.db_url, UNSENT) == 0)


async def lose_the_ledger(stack: Stack) -> None:
    """What a lost notifier database leaves: the schema, no rows."""
    conn = await asyncpg.connect(stack.db_url)
    try:
        await conn.execute(
            "TRUNCATE notifier.deliveries, notifier.activations, notifier.timers, notifier.signs"
        )
    finally:
        await conn.close()


async def handled_history(stack: Stack) -> History:
    """One activation alerted and resolved (all-clear sent), then one alerted and still open."""
    plan = await couple(stack.client)
    await partner_webhook(stack, plan)
    await support(stack, plan, "Jo")  # a webhook, an e-mail address and a phone
    over = (await activate(stack.client, plan, "crisis"))["activation_id"]
    await eventually(lambda: len(alerts_for(stack, over)) == 1, timeout=15)
    await resolve(stack, plan, over, "resolved")
    await eventually(lambda: len(to(stack, "tandem.all_clear", "jo")) == 1, timeout=15)
    still_open = (await activate(stack.client, plan, "crisis"))["activation_id"]
    await eventually(lambda: len(alerts_for(stack, still_open)) == 1, timeout=15)
    await eventually(lambda: nothing_left_to_send(stack), timeout=15)
    return History(plan, over, still_open)


async def replayed(stack: Stack, *, dry_run: bool) -> tuple[Report, list[Claim]]:
    emitted: list[Claim] = []
    report = await replay(stack.notifier_settings, 1, dry_run=dry_run, emit=emitted.append)
    return report, emitted


def sent(stack: Stack) -> tuple[int, int, int]:
    return len(stack.webhooks.requests), len(stack.smtp.messages), len(stack.sms.messages)


async def test_a_replay_over_history_already_handled_sends_nothing_new(stack: Stack) -> None:
    history = await handled_history(stack)
    rows, before = await ledger_rows(stack), sent(stack)

    report, emitted = await replayed(stack, dry_run=False)

    assert report.events > 0
    assert report.claims == emitted == []
    assert report.rebuilt == []
    assert report.reopened == {}
    assert await ledger_rows(stack) == rows
    # A barrier: Jo acknowledges, and the note to Alex is the only thing sent since.
    [alert] = alerts_for(stack, history.still_open)
    acked = await stack.client.post(alert.json()["ack_url"].removeprefix(PUBLIC_URL))
    assert acked.status_code == 200, acked.text
    await eventually(lambda: len(to(stack, "tandem.ack_note", "alex")) == 1, timeout=15)
    webhooks, mails, texts = before
    assert sent(stack) == (webhooks + 1, mails, texts)


async def test_a_replay_after_the_ledger_was_lost_never_pages_about_a_resolved_activation(
    stack: Stack,
) -> None:
    history = await handled_history(stack)
    await lose_the_ledger(stack)

    report, _ = await replayed(stack, dry_run=False)

    assert report.rebuilt == [UUID(history.over)]
    assert not [c for c in report.claims if c.activation_id == UUID(history.over)]
    # Jo answered the consent request long ago: not asked again.
    assert not [c for c in report.claims if c.message == "consent_request"]
    # The open one is alerted again from tier 1: on each of Jo's three channels.
    assert {(c.activation_id, c.tier, c.channel) for c in report.claims} == {
        (UUID(history.still_open), 1, "webhook"),
        (UUID(history.still_open), 1, "email"),
        (UUID(history.still_open), 1, "sms"),
    }
    # (how many alerts the history records as sent depends on how far reports have come)
    assert set(report.reopened) == {UUID(history.still_open)}
    # A barrier: the open activation's alert arrives again; nothing about the resolved one.
    await eventually(lambda: len(alerts_for(stack, history.still_open)) == 2, timeout=15)
    await eventually(lambda: nothing_left_to_send(stack), timeout=15)
    assert len(alerts_for(stack, history.over)) == 1
    assert len(to(stack, "tandem.all_clear", "jo")) == 1
    status = await value_of(stack.db_url, ACTIVATION_STATUS, UUID(history.over))
    assert status == "resolved"


async def test_tandem_notifier_replay_dry_run_prints_the_claims_and_writes_nothing(
    stack: Stack, tmp_path: Path
) -> None:
    history = await handled_history(stack)
    await lose_the_ledger(stack)
    before = sent(stack)
    env = {
        **os.environ,
        "TANDEM_HOME": str(tmp_path),
        "TANDEM_DATABASE_URL": stack.db_url,
        "TANDEM_NATS_URL": stack.nats_url,
        "TANDEM_SECRET_KEY": SECRET.decode(),
        "TANDEM_PUBLIC_URL": PUBLIC_URL,
    }
    process = await asyncio.create_subprocess_exec(
        TANDEM,
        *("notifier", "replay", "--from-sequence", "1", "--dry-run"),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)

    assert process.returncode == 0, err.decode()
    lines = out.decode().splitlines()
    assert len(lines) == 3
    for line in lines:
        assert line.startswith("would claim ")
        assert f"activation={history.still_open} tier=1 " in line
        assert "message=alert" in line
        assert "Jo" not in line
        assert "example.org" not in line
    assert "dry run, nothing was written" in err.decode()
    assert history.over not in out.decode()
    assert await ledger_rows(stack) == dict.fromkeys(LEDGER_TABLES, 0)
    assert sent(stack) == before


async def test_replay_refuses_a_sequence_below_1(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        TANDEM,
        *("notifier", "replay", "--from-sequence", "0"),
        env={**os.environ, "TANDEM_HOME": str(tmp_path)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert "--from-sequence" in err.decode()
