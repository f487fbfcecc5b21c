"""A webhook receiver down during a burst of activations: nothing lost, nothing renamed.

Half the plans are activated before the outage (their alerts go through) and resolved
during it, so their all-clears meet the outage; the other half are activated in a burst
during it, so their alerts do. The receiver first answers 503 with ``Retry-After: 2``, then
refuses connections, for ``OUTAGE_SECONDS`` in all: 60 s here, to keep the suite short
(``TANDEM_TEST_OUTAGE_SECONDS=120`` runs the issue's two minutes). Once it is back, every
alert and every all-clear arrives within half a minute, each delivery under one webhook
id; and each partner who asked for help during the outage (they hear by e-mail, which
works) was told that their contact could not be reached while the outage was still on,
long before the tier's 600 s timeout.

The notifier runs as ``tandem dev`` runs it, started again if it exits by itself; the
report says how often that happened (it should not: such an exit is a bug of its own).

Against the notifier before durable retries this fails: each delivery got five tries in
4-7 s and was then marked failed for good and never tried again, so every alert and
all-clear that met the outage stayed undelivered (``lost`` = all of them), and no partner
heard anything before the tier timeout.
"""

import asyncio
import os
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from litestar.testing import AsyncTestClient

from planner.runtime.embedded.nats_server import EmbeddedNats
from tests.e2e.conftest import notifier_settings, supervised_notifier
from tests.support.api import Couple, activate, couple, webhook_contact
from tests.support.eventually import eventually
from tests.support.processes import UNSENT, ledger_count
from tests.support.receivers import (
    FlakyWebhookReceiver,
    GatedWebhookReceiver,
    ReceivedRequest,
    Reply,
    SmsProvider,
    SmtpServer,
)

pytestmark = pytest.mark.integration

PLANS = 40  # half activated before the outage, half during it
CHUNK = 10
OUTAGE_SECONDS = float(os.environ.get("TANDEM_TEST_OUTAGE_SECONDS", "60"))
BACK_WITHIN_SECONDS = 30.0  # a receiver back from an outage gets its alerts this soon
TIER_TIMEOUT_SECONDS = 600  # the default single tier: partner and contacts together
NOT_REACHED = "We could not reach Jo yet"

T = TypeVar("T")
Client = AsyncTestClient[Any]


async def in_chunks(make: Callable[[int], Awaitable[T]], count: int) -> list[T]:
    made: list[T] = []
    while len(made) < count:
        start = len(made)
        made += await asyncio.gather(*(make(i) for i in range(start, min(count, start + CHUNK))))
    return made


def partner_address(index: int) -> str:
    return f"alex{index}@example.org"


async def plan_with_webhook_contact(
    client: Client, hook: FlakyWebhookReceiver, index: int
) -> Couple:
    """Alex (who asks for help, and hears back by e-mail) and Jo, on a webhook of this plan."""
    plan = await couple(client)
    answer = await client.put(
        "/v1/participants/me/channels",
        json={"channels": [{"kind": "email", "address": partner_address(index)}]},
        headers=plan.first.auth,
    )
    assert answer.status_code == 200, answer.text
    await webhook_contact(client, plan, hook, "Jo", path=f"/p{index}")
    return plan


def of_type(requests: list[ReceivedRequest], kind: str) -> list[ReceivedRequest]:
    return [r for r in requests if r.json().get("type") == kind]


def activations_in(requests: list[ReceivedRequest], kind: str) -> set[str]:
    return {r.json()["activation_id"] for r in of_type(requests, kind)}


def told_not_reached(smtp: SmtpServer, indexes: range) -> set[int]:
    """The plans whose partner got the e-mail that Jo could not be reached."""
    return {
        i
        for i in indexes
        for mail in smtp.messages
        if partner_address(i) in mail.rcpt_tos and mail.subject == NOT_REACHED
    }


def renamed(requests: list[ReceivedRequest]) -> dict[tuple[str, str, str], set[str]]:
    """Deliveries (activation, kind, recipient) that reached the receiver under two ids."""
    ids: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for request in requests:
        body = request.json()
        if body["activation_id"] is not None:
            key = (body["activation_id"], body["type"], body["recipient_id"])
            ids[key].add(request.headers["webhook-id"])
    return {key: found for key, found in ids.items() if len(found) > 1}


async def seconds_until(check: Callable[[], bool], since: float) -> float:
    """Seconds from ``since`` (the loop's clock) until ``check`` holds, within the outage."""
    await eventually(check, OUTAGE_SECONDS)
    return asyncio.get_running_loop().time() - since


async def settled(db_url: str) -> bool:
    """Nothing claimed is left unsent: no further message can go out."""
    return await ledger_count(db_url, UNSENT) == 0


def report(request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str], line: str) -> None:
    """Write ``line`` to the terminal, past pytest's capture: the counts are the result."""
    reporter: Any = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        with capsys.disabled():
            reporter.write_line(line)


async def resolve(client: Client, plan: Couple, activation_id: str) -> None:
    answer = await client.post(
        f"/v1/plans/{plan.plan_id}/activations/{activation_id}/resolve",
        json={"outcome": "resolved"},
        headers=plan.first.auth,
    )
    assert answer.status_code == 200, answer.text


async def test_a_receiver_down_during_a_burst_gets_every_alert_and_all_clear_once_it_is_back(
    planner: Client,
    receivers: tuple[GatedWebhookReceiver, SmtpServer, SmsProvider],
    db_url: str,
    own_nats: tuple[EmbeddedNats, str],
    request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, smtp, sms = receivers
    settings = notifier_settings(db_url, own_nats[1], smtp, sms)
    loop = asyncio.get_running_loop()
    async with FlakyWebhookReceiver() as hook, supervised_notifier(settings) as restarts:
        plans = await in_chunks(lambda i: plan_with_webhook_contact(planner, hook, i), PLANS)
        half = PLANS // 2
        before, during = plans[:half], plans[half:]

        first = await in_chunks(lambda i: activate(planner, before[i], "crisis"), half)
        first_ids = {a["activation_id"] for a in first}
        await eventually(lambda: activations_in(hook.delivered, "tandem.alert") == first_ids, 20)

        # The outage: 503 with Retry-After for a third of it, then connections refused.
        down_at = loop.time()
        hook.fail_with(Reply(503, {"retry-after": "2"}))
        burst = await in_chunks(lambda i: activate(planner, during[i], "crisis"), half)
        burst_ids = {a["activation_id"] for a in burst}
        for plan, activation in zip(before, first, strict=True):
            await resolve(planner, plan, activation["activation_id"])
        told = range(half, PLANS)
        all_told = asyncio.create_task(
            seconds_until(lambda: told_not_reached(smtp, told) == set(told), down_at)
        )
        await asyncio.sleep(OUTAGE_SECONDS / 3)  # the fault's own duration, not a wait to assert
        await hook.refuse()

        # Told early: while the receiver is still down, long before the tier timeout.
        told_after = await all_told
        assert told_after < OUTAGE_SECONDS < TIER_TIMEOUT_SECONDS
        assert activations_in(hook.delivered, "tandem.alert") == first_ids  # none got through
        await asyncio.sleep(max(0.0, down_at + OUTAGE_SECONDS - loop.time()))

        await hook.recover()
        back_at = loop.time()

        def all_through() -> bool:
            return (
                activations_in(hook.delivered, "tandem.alert") == first_ids | burst_ids
                and activations_in(hook.delivered, "tandem.all_clear") == first_ids
            )

        await eventually(all_through, BACK_WITHIN_SECONDS + 15)
        through_after = loop.time() - back_at
        for plan, activation in zip(during, burst, strict=True):
            await resolve(planner, plan, activation["activation_id"])
        expected = first_ids | burst_ids
        await eventually(lambda: activations_in(hook.delivered, "tandem.all_clear") == expected, 20)
        await eventually(lambda: settled(db_url), 15)

        alerts = activations_in(hook.delivered, "tandem.alert")
        clears = activations_in(hook.delivered, "tandem.all_clear")
        twice = renamed(hook.requests)
        report(
            request,
            capsys,
            f"\nreceiver outage {OUTAGE_SECONDS:.0f} s: activations accepted {len(expected)};"
            f" alerts expected {len(expected)}, delivered {len(alerts)},"
            f" lost {len(expected - alerts)}; all-clears expected {len(expected)},"
            f" delivered {len(clears)}, lost {len(expected - clears)};"
            f" duplicated under different ids {len(twice)};"
            f" requests {len(hook.requests)} (accepted {len(hook.delivered)});"
            f" partners told after {told_after:.1f} s; all through {through_after:.1f} s"
            f" after the receiver came back; notifier restarts {len(restarts)} {restarts}",
        )
        assert alerts == expected
        assert clears == expected
        assert twice == {}
        assert through_after < BACK_WITHIN_SECONDS
