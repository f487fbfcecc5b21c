"""A notifier process killed in the middle of a burst of alerts loses none and renames none.

The planner runs in-process with its relay; the notifier runs as ``python -m notifier``, so
SIGKILL leaves exactly what a crashed host leaves: leases taken, webhooks on the wire and
unanswered, claims not yet sent.
"""

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from litestar.testing import AsyncTestClient

from planner.runtime.embedded.nats_server import EmbeddedNats
from tests.e2e.conftest import PUBLIC_URL, SECRET
from tests.support.api import Couple, activate, couple, webhook_contact
from tests.support.eventually import eventually
from tests.support.processes import (
    UNSENT,
    NotifierProcess,
    events_acknowledged,
    ledger_count,
)
from tests.support.receivers import (
    GatedWebhookReceiver,
    ReceivedRequest,
    SmsProvider,
    SmtpServer,
    WebhookReceiver,
)

pytestmark = pytest.mark.integration

PLANS = 50
CHUNK = 10  # plans set up at once
ANSWERED_BEFORE_HOLD = 10  # alerts answered at once; every later request waits for release()

Client = AsyncTestClient[Any]
T = TypeVar("T")

KNOWN_ACTIVATIONS = "SELECT count(*) FROM notifier.activations"
ALERTS_SENT = "SELECT count(*) FROM notifier.deliveries WHERE message = 'alert' AND status = 'sent'"


@pytest.fixture
def hooks(receivers: tuple[GatedWebhookReceiver, SmtpServer, SmsProvider]) -> GatedWebhookReceiver:
    return receivers[0]


@pytest.fixture
def notifier_process(
    db_url: str,
    tmp_path: Path,
    own_nats: tuple[EmbeddedNats, str],
    receivers: tuple[GatedWebhookReceiver, SmtpServer, SmsProvider],
) -> Iterator[NotifierProcess]:
    """``python -m notifier`` configured for this test; ended at teardown, whatever happened."""
    _, smtp, sms = receivers
    env = {
        "TANDEM_DATABASE_URL": db_url,
        "TANDEM_NATS_URL": own_nats[1],
        "TANDEM_SECRET_KEY": SECRET.decode(),
        "TANDEM_PUBLIC_URL": PUBLIC_URL,
        "TANDEM_SMTP_URL": smtp.url,
        "TANDEM_EMAIL_FROM": "Tandem <alerts@example.org>",
        "TANDEM_SMS_URL": sms.url,
        "TANDEM_WEBHOOK_ALLOW_PRIVATE": "1",
        "TANDEM_NOTIFIER_LEASE_SECONDS": "2",
        "TANDEM_NOTIFIER_RETRY_BASE_DELAY": "0.05",
        "TANDEM_NOTIFIER_PORT": "0",  # any free port: 8001 may be another notifier's
    }
    process = NotifierProcess(env, tmp_path / "notifier.log")
    try:
        yield process
    finally:
        process.stop()


async def in_chunks(make: Callable[[], Awaitable[T]], count: int, chunk: int = CHUNK) -> list[T]:
    made: list[T] = []
    while len(made) < count:
        made += await asyncio.gather(*(make() for _ in range(min(chunk, count - len(made)))))
    return made


def alerts(hooks: WebhookReceiver) -> list[ReceivedRequest]:
    return [r for r in hooks.requests if r.json().get("type") == "tandem.alert"]


def keys_of(hooks: WebhookReceiver, kind: str) -> set[str]:
    """The distinct idempotency keys of the requests of this type (a resend is not new)."""
    return {r.headers["webhook-id"] for r in hooks.requests if r.json().get("type") == kind}


def webhook_ids_by_activation(hooks: WebhookReceiver) -> dict[str, set[str]]:
    ids: dict[str, set[str]] = defaultdict(set)
    for request in alerts(hooks):
        ids[request.json()["activation_id"]].add(request.headers["webhook-id"])
    return ids


async def test_a_notifier_killed_mid_burst_delivers_every_alert_after_restart_with_the_same_keys(
    planner: Client,
    hooks: GatedWebhookReceiver,
    notifier_process: NotifierProcess,
    db_url: str,
    own_nats: tuple[EmbeddedNats, str],
) -> None:
    notifier_process.start()
    with notifier_process.output_on_failure():

        async def consented_plan() -> Couple:
            plan = await couple(planner)
            await webhook_contact(planner, plan, hooks, relationship="sponsor")
            return plan

        plans = await in_chunks(consented_plan, PLANS)
        # The first process is up and sending: every consent request has been answered.
        await eventually(lambda: len(keys_of(hooks, "tandem.consent_request")) == PLANS, timeout=20)

        hooks.hold_after(ANSWERED_BEFORE_HOLD)
        activations = await asyncio.gather(*(activate(planner, p, "crisis") for p in plans))
        wanted = {a["activation_id"] for a in activations}

        # Mid-burst: some alerts were answered and more are on the wire, unanswered; every
        # activation is claimed and its event acknowledged, so the restarted process does
        # not wait out JetStream's 30 s ack deadline for an event the killed one held.
        async def mid_burst() -> bool:
            return (
                len(alerts(hooks)) > ANSWERED_BEFORE_HOLD
                and await ledger_count(db_url, KNOWN_ACTIVATIONS) == PLANS
                and await events_acknowledged(own_nats[1])
            )

        await eventually(mid_burst, timeout=15)
        at_kill = len(alerts(hooks))
        assert await notifier_process.kill() == -9
        assert ANSWERED_BEFORE_HOLD < at_kill < PLANS  # the kill did land mid-burst
        hooks.release()  # answered from now on (the killed process hears nothing)
        notifier_process.start()

        await eventually(lambda: set(webhook_ids_by_activation(hooks)) == wanted, timeout=20)
        # Settled: nothing claimed is left unsent, so no further alert can go out.
        await eventually(lambda: unsent_claims(db_url, 0), timeout=15)

        ids = webhook_ids_by_activation(hooks)
        assert set(ids) == wanted  # none missing, and none alerted that was not activated
        renamed = {activation: keys for activation, keys in ids.items() if len(keys) > 1}
        assert renamed == {}  # a resent alert kept its idempotency key (its webhook-id)
        assert len(alerts(hooks)) > PLANS  # the alerts held at the kill were sent again
        assert await ledger_count(db_url, ALERTS_SENT) == PLANS  # one delivery each, sent


async def unsent_claims(db_url: str, count: int) -> bool:
    return await ledger_count(db_url, UNSENT) == count


LONG_LEASE_SECONDS = 60.0  # the default: what a crashed send waited out before
TAKEN_OVER_WITHIN_SECONDS = 10.0  # from the restart: its start-up, then at once


async def test_a_restarted_notifier_takes_over_a_killed_ones_lease_at_once(
    planner: Client,
    hooks: GatedWebhookReceiver,
    notifier_process: NotifierProcess,
    db_url: str,
    own_nats: tuple[EmbeddedNats, str],
) -> None:
    notifier_process.env["TANDEM_NOTIFIER_LEASE_SECONDS"] = str(LONG_LEASE_SECONDS)
    notifier_process.start()
    with notifier_process.output_on_failure():
        plan = await couple(planner)
        await webhook_contact(planner, plan, hooks, relationship="sponsor")
        await eventually(lambda: len(keys_of(hooks, "tandem.consent_request")) == 1, timeout=20)
        hooks.hold_after(0)
        await activate(planner, plan, "crisis")

        # The alert is on the wire, unanswered: its claim is leased for a minute.
        async def on_the_wire() -> bool:
            return len(alerts(hooks)) == 1 and await events_acknowledged(own_nats[1])

        await eventually(on_the_wire, timeout=15)
        assert await notifier_process.kill() == -9
        hooks.release()
        loop = asyncio.get_running_loop()
        restarted_at = loop.time()
        notifier_process.start()

        await eventually(lambda: len(alerts(hooks)) == 2, timeout=TAKEN_OVER_WITHIN_SECONDS)
        took = loop.time() - restarted_at
        assert took < TAKEN_OVER_WITHIN_SECONDS < LONG_LEASE_SECONDS / 4
        assert len(keys_of(hooks, "tandem.alert")) == 1  # sent again under the same id

        async def recorded_sent() -> bool:
            return await ledger_count(db_url, ALERTS_SENT) == 1

        await eventually(recorded_sent, timeout=15)
