"""``tandem dlq list`` and ``tandem dlq retry``: dead letters an operator can see and retry."""

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec
import nats
import pytest
from typer.testing import CliRunner

from contracts.envelope import Envelope, Metadata
from contracts.events import ActivationAcknowledged, PlanActivated, PlanEvent
from contracts.ids import ActivationId, EventId, ParticipantId, RecipientId
from contracts.subjects import HEADER_EVENT_ID, HEADER_EVENT_TYPE, plan_subject
from contracts.vocabulary import (
    ActivationTier,
    Channel,
    ChannelKind,
    Level,
    Recipient,
    RecipientKind,
)
from planner.cli import app
from planner.inbound.dead_letters import DeadLetter
from tests.e2e.conftest import SECRET, Stack
from tests.e2e.test_answers import notifier_status
from tests.e2e.test_dead_letters import dead_letters
from tests.support.eventually import eventually

pytestmark = pytest.mark.integration

PLAN = UUID("01950000-0000-7000-8000-000000000001")
ACTIVATION = ActivationId(UUID("01950000-0000-7000-8000-000000000041"))
ALEX = ParticipantId(UUID("01950000-0000-7000-8000-0000000000a1"))
JO = RecipientId(UUID("01950000-0000-7000-8000-0000000000b1"))
AT = datetime(2026, 11, 23, tzinfo=UTC)


def tandem(stack: Stack, home: Path, *args: str) -> tuple[int, str, str]:
    """Run ``tandem`` against the stack's servers (in a thread: it runs its own loop)."""
    env = {
        "TANDEM_HOME": str(home),
        "TANDEM_DATABASE_URL": stack.db_url,
        "TANDEM_NATS_URL": stack.nats_url,
        "TANDEM_SECRET_KEY": SECRET.decode(),
        "COLUMNS": "300",  # the table on one line per letter
    }
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


async def publish(stack: Stack, event: PlanEvent, event_type: str, event_id: str) -> None:
    envelope = Envelope(
        event_id=EventId(UUID(event_id)),
        stream_id=PLAN,
        stream_version=1,
        position=1,
        event_type=event_type,
        schema_version=1,
        recorded_at=AT,
        metadata=Metadata(actor="test", correlation_id=PLAN),
        event=event,
    )
    headers = {"Nats-Msg-Id": event_id, HEADER_EVENT_ID: event_id, HEADER_EVENT_TYPE: event_type}
    connection = await nats.connect(stack.nats_url)
    try:
        js = connection.jetstream()
        data = msgspec.json.encode(envelope)
        await js.publish(plan_subject(PLAN, event_type), data, headers=headers)
    finally:
        await connection.close()


async def acknowledgement_dead_lettered(stack: Stack) -> str:
    """An acknowledgement of an activation the notifier has not seen, given up on; its id."""
    ack_id = "01950000-0000-7000-8000-0000000000e1"
    acknowledged = ActivationAcknowledged(activation_id=ACTIVATION, by=JO, at=AT)
    await publish(stack, acknowledged, "plan.activation_acknowledged", ack_id)

    async def dead_lettered() -> bool:
        return len(await dead_letters(stack)) == 1

    await eventually(dead_lettered, timeout=20)
    return ack_id


def activation(stack: Stack) -> PlanActivated:
    """The activation the acknowledgement was about: Jo is alerted, Alex hears back."""
    return PlanActivated(
        activation_id=ACTIVATION,
        level=Level.CRISIS,
        activated_by=ALEX,
        observed_sign_ids=(),
        note="",
        recipients=(
            Recipient(
                recipient_id=JO,
                kind=RecipientKind.CONTACT,
                display_name="Jo",
                tier=1,
                channels=(Channel(kind=ChannelKind.WEBHOOK, address=f"{stack.webhooks.url}/jo"),),
            ),
        ),
        tiers=(ActivationTier(tier=1, recipient_ids=(JO,), ack_timeout_seconds=600),),
        at=datetime.now(UTC),  # no tier timer due yet: nobody is escalated to
        activator_name="Alex",
        activator_channels=(
            Channel(kind=ChannelKind.WEBHOOK, address=f"{stack.webhooks.url}/alex"),
        ),
    )


async def dead_letter_list(stack: Stack, home: Path) -> list[DeadLetter]:
    code, out, err = await asyncio.to_thread(tandem, stack, home, "dlq", "list", "--json")
    assert code == 0, err
    return msgspec.json.decode(out, type=list[DeadLetter])


def requests_to(stack: Stack, kind: str, name: str) -> list[Any]:
    return [
        r
        for r in stack.webhooks.requests
        if r.json().get("type") == kind and r.target.endswith(f"/{name}")
    ]


async def test_dlq_list_shows_each_dead_letter_with_its_reason(
    stack: Stack, tmp_path: Path
) -> None:
    ack_id = await acknowledgement_dead_lettered(stack)

    code, out, err = await asyncio.to_thread(tandem, stack, tmp_path, "dlq", "list", "--json")
    assert code == 0, err
    [letter] = json.loads(out)
    assert letter["id"] == 1
    assert letter["subject"] == plan_subject(PLAN, "plan.activation_acknowledged")
    assert letter["event_type"] == "plan.activation_acknowledged"
    assert letter["event_id"] == ack_id
    assert letter["reason"] == "delivered 4 times without success"

    code, out, err = await asyncio.to_thread(tandem, stack, tmp_path, "dlq", "list")
    assert code == 0, err
    assert "delivered 4 times without success" in out
    assert ack_id in out


async def test_dlq_retry_puts_the_event_back_and_the_notifier_handles_it(
    stack: Stack, tmp_path: Path
) -> None:
    await acknowledgement_dead_lettered(stack)
    # Its activation arrives after all (say, a late replica of the planner's relay).
    await publish(
        stack, activation(stack), "plan.activated", "01950000-0000-7000-8000-0000000000e2"
    )
    await eventually(lambda: len(requests_to(stack, "tandem.alert", "jo")) == 1, timeout=15)
    assert await notifier_status(stack, str(ACTIVATION)) == "triggered"

    code, _, err = await asyncio.to_thread(tandem, stack, tmp_path, "dlq", "retry", "1")
    assert code == 0, err
    assert "retried dead letter 1" in err

    async def acknowledged() -> bool:
        return await notifier_status(stack, str(ACTIVATION)) == "acknowledged"

    await eventually(acknowledged, timeout=15)
    await eventually(lambda: len(requests_to(stack, "tandem.ack_note", "alex")) == 1, timeout=15)
    # The planner's recorder dead-letters the notifier's reports about this plan, which it
    # has never seen; the retried acknowledgement itself is gone.
    assert 1 not in [letter.id for letter in await dead_letter_list(stack, tmp_path)]
    assert len(requests_to(stack, "tandem.alert", "jo")) == 1  # nothing sent twice

    code, _, err = await asyncio.to_thread(tandem, stack, tmp_path, "dlq", "retry", "1")
    assert code == 1  # retried already: it is gone, and cannot be retried by accident
    assert "no dead letter 1" in err


async def test_dlq_retry_of_an_unknown_id_says_so_and_exits_1(stack: Stack, tmp_path: Path) -> None:
    code, _, err = await asyncio.to_thread(tandem, stack, tmp_path, "dlq", "retry", "99")
    assert code == 1
    assert "no dead letter 99" in err
