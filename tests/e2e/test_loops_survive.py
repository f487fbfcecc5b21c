"""No error ends a notifier loop: each logs it, backs off, and then does its job again.

Each test injects errors at one loop's seam (``tests.support.faults``) in a notifier that
runs in this process against the real servers: database errors (a session lost mid-query,
the pool's timeout, a socket error), NATS errors (nats-py's own timeout and a bare one,
no servers, a closed connection, a JetStream API error) and a bug. Without its loop's
guard each test fails: the loop dies (and the notifier with it), or what it owed never
happens, or the line that says what happened is missing. Real outages (sessions
terminated, NATS stopped) are in ``test_lost_database_sessions`` and ``test_nats_outage``.
"""

from typing import Any

import asyncpg
import httpx
import nats.errors
import pytest
from nats.js.errors import ServiceUnavailableError

from notifier.alerting.handlers import Alerting
from notifier.channels.webhook import WebhookAdapter
from notifier.intake import fetching
from notifier.ledger import chores, leasing, presence, timers
from notifier.loops.reporter import Reporter
from tests.e2e.conftest import Stack, running_notifier
from tests.e2e.test_alerts import of_type
from tests.e2e.test_escalation import alerted, two_tiers
from tests.e2e.test_lost_database_sessions import CUT, NOTIFIER_SESSIONS, notifier_sessions
from tests.support.api import Couple, activate, couple, webhook_contact
from tests.support.eventually import eventually
from tests.support.faults import Fault, inject
from tests.support.log_capture import CapturedLogs, captured_logs

pytestmark = pytest.mark.integration


def lost_session() -> BaseException:
    return asyncpg.exceptions.ConnectionDoesNotExistError("injected: connection was closed")


def bug() -> BaseException:
    return RuntimeError("injected")


def database_faults() -> list[BaseException]:
    return [
        lost_session(),
        asyncpg.InterfaceError("injected: connection is closed"),
        TimeoutError(),  # the pool's acquire timeout
        ConnectionResetError(),
    ]


def nats_faults() -> list[BaseException]:
    return [
        nats.errors.TimeoutError(),
        TimeoutError(),  # bare, as nats-py raises it on some paths
        nats.errors.NoServersError(),
        nats.errors.ConnectionClosedError(),
        ServiceUnavailableError(code=503, description="injected"),
    ]


def failures(logs: CapturedLogs, event: str, loop: str) -> list[dict[str, Any]]:
    return [line for line in logs.events(event) if line.get("loop") == loop]


def backed_off(lines: list[dict[str, Any]]) -> None:
    """Each failure waited before the next try, longer as they went on: with its jitter, the
    back-off grows for sure over its first five steps."""
    delays = [line["retry_in"] for line in lines]
    assert all(delay > 0 for delay in delays), delays
    assert delays[:5] == sorted(delays[:5]), delays


async def with_webhook(stack: Stack) -> Couple:
    """A couple whose one support contact (a webhook) has consented: alerts go out."""
    plan = await couple(stack.client)
    await webhook_contact(stack.client, plan, stack.webhooks, "Jo", path="/jo")
    return plan


async def alerted_once(stack: Stack, activation: dict[str, Any]) -> None:
    def sent() -> bool:
        return [r.json()["activation_id"] for r in of_type(stack, "tandem.alert")] == [
            activation["activation_id"]
        ]

    await eventually(sent, timeout=15)


async def test_the_sending_loop_backs_off_says_so_on_readyz_and_sends_again(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = await with_webhook(stack)
    errors = [*database_faults(), bug()]
    fault = inject(monkeypatch, leasing, "lease", Fault(errors, held=bug))
    assert stack.notifier is not None
    assert stack.notifier.status_url is not None
    with captured_logs() as logs:
        activation = await activate(stack.client, plan, "crisis")
        async with httpx.AsyncClient(base_url=stack.notifier.status_url) as status:
            await eventually(lambda: len(fault.raised) > len(errors), timeout=15)
            failing = await status.get("/readyz")
            assert failing.status_code == 503
            assert failing.json()["checks"]["loops"] == "sending: RuntimeError"
            assert of_type(stack, "tandem.alert") == []

            fault.held = None
            await alerted_once(stack, activation)

            async def ready() -> None:
                # The loop says it is well once its round is over, a moment after the send.
                answer = await status.get("/readyz")
                assert answer.status_code == 200, answer.text

            await eventually(ready)

    lines = failures(logs, "worker.loop_failed", "sending")
    assert [line["error"] for line in lines][: len(errors)] == fault.raised[: len(errors)]
    assert {line["level"] for line in lines[:4]} == {"warning"}  # the database: expected
    assert lines[4]["level"] == "error"  # a bug: said louder, with where it was raised
    assert lines[4]["at"].startswith("faults.py:")
    backed_off(lines)


async def test_the_chores_loop_backs_off_and_still_fires_the_escalation_timer(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan, _, _ = await two_tiers(stack, timeout_seconds=1)
    probing = inject(monkeypatch, chores, "probe", Fault([*database_faults(), bug()]))
    firing = inject(monkeypatch, timers, "due", Fault([lost_session(), bug()]))
    with captured_logs() as logs:
        activation = await activate(stack.client, plan, "crisis")
        await eventually(lambda: len(alerted(stack, "lee")) == 1, timeout=20)
        path = f"/v1/plans/{plan.plan_id}/activations/{activation['activation_id']}"

        async def escalation_reported() -> bool:
            view = (await stack.client.get(path, headers=plan.first.auth)).json()
            return bool(view["escalated_tiers"] == [2])

        await eventually(escalation_reported, timeout=15)

    assert probing.spent
    assert firing.spent
    lines = failures(logs, "worker.loop_failed", "chores")
    errors = [line["error"] for line in lines]
    assert errors == [*probing.raised, *firing.raised]
    assert len(alerted(stack, "jo")) == 1
    backed_off(lines[: len(probing.raised)])


async def test_the_reporter_backs_off_on_nats_errors_and_still_reports(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = await with_webhook(stack)
    fault = inject(
        monkeypatch, Reporter, "_publish", Fault([*nats_faults(), lost_session(), bug()])
    )
    with captured_logs() as logs:
        activation = await activate(stack.client, plan, "crisis")
        await alerted_once(stack, activation)
        path = f"/v1/plans/{plan.plan_id}/activations/{activation['activation_id']}"

        async def reported() -> bool:
            view = (await stack.client.get(path, headers=plan.first.auth)).json()
            [jo] = [r for r in view["recipients"] if r["display_name"] == "Jo"]
            return [(d["channel"], d["status"]) for d in jo["deliveries"]] == [("webhook", "sent")]

        await eventually(reported, timeout=30)

    assert fault.spent
    lines = failures(logs, "reporter.deferred", "reporter")
    # Reports go out side by side: a drain's first failure is the one it logs.
    assert {line["error"] for line in lines} <= set(fault.raised)
    assert lines
    assert all(line["retry_in"] > 0 for line in lines)


async def test_the_intake_retries_an_event_whose_handling_failed(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = await with_webhook(stack)
    # Two failures: the e2e notifier dead-letters an event on its fourth delivery.
    fault = inject(monkeypatch, Alerting, "handle", Fault([lost_session(), bug()]))
    with captured_logs() as logs:
        activation = await activate(stack.client, plan, "crisis")
        await alerted_once(stack, activation)

    assert fault.spent
    assert [line["error"] for line in logs.events("consumer.retry")] == [fault.raised[0]]
    [failed] = logs.events("consumer.failed")
    assert failed["error"] == "RuntimeError"
    assert failed["level"] == "error"
    assert logs.events("consumer.dead_lettered") == []


async def test_the_listener_backs_off_and_listens_again(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = await with_webhook(stack)
    fault = inject(monkeypatch, presence, "hold", Fault([*database_faults(), bug()]))
    with captured_logs() as logs:
        assert await notifier_sessions(stack.db_url, CUT) >= 1  # the listener must start over

        async def listening_again() -> bool:
            return fault.spent and await notifier_sessions(stack.db_url, NOTIFIER_SESSIONS) >= 2

        await eventually(listening_again, timeout=20)
        activation = await activate(stack.client, plan, "crisis")
        await alerted_once(stack, activation)

    lines = failures(logs, "worker.listen_failed", "listener")
    assert [line["error"] for line in lines] == fault.raised
    backed_off(lines)


async def test_a_send_that_raised_is_logged_and_sent_again_once_its_lease_lapses(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = await with_webhook(stack)
    fault = inject(monkeypatch, WebhookAdapter, "send", Fault([bug()]))
    with captured_logs() as logs:
        activation = await activate(stack.client, plan, "crisis")
        await alerted_once(stack, activation)

    assert fault.spent
    [deferred] = logs.events("delivery.deferred")
    assert deferred["error"] == "RuntimeError"
    assert deferred["level"] == "error"


async def test_a_notifier_starting_while_nats_errs_waits_and_makes_its_consumer(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A reset socket and a bare timeout, as nats-py raises them: neither is a nats error.
    fault = inject(
        monkeypatch, fetching, "ensure_consumer", Fault([ConnectionResetError(), TimeoutError()])
    )
    with captured_logs() as logs:
        async with running_notifier(stack.notifier_settings) as replica:
            assert replica.dependencies.consumer_bound

    assert fault.spent
    waiting = [line["error"] for line in logs.events("consumer.waiting")]
    assert waiting == ["ConnectionResetError", "TimeoutError"]
