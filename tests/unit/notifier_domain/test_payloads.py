"""The webhook body: typed, timestamped, sequenced, JSON-ready, and as discreet as the text."""

from datetime import datetime, timedelta, timezone

import msgspec
import pytest

from contracts.vocabulary import MessageKind
from notifier.domain.alert_text import render
from notifier.domain.payloads import rfc3339
from tests.unit.notifier_domain.builders import (
    ACK_URL,
    ACTIVATION_ID,
    ALEX,
    ALEX_HOOK,
    BLAIR,
    CONSENT_URL,
    DANA,
    DANA_HOOK,
    NOW,
    PLAN_ID,
    context,
    delivery,
)


def test_an_alert_body_carries_what_a_receiver_needs_to_act_and_to_order_it() -> None:
    payload = render(delivery(DANA, DANA_HOOK), context()).payload
    assert payload | {"text": "…", "subject": "…"} == {
        "type": "tandem.alert",
        "timestamp": "2026-03-01T12:00:00Z",
        "sequence": 7,
        "plan_id": str(PLAN_ID),
        "activation_id": str(ACTIVATION_ID),
        "level": "setback",
        "recipient_id": str(DANA),
        "tier": 1,
        "subject": "…",
        "text": "…",
        "page_url": None,
        "ack_url": ACK_URL,
        "activated_by": str(ALEX),
        "activator_name": "Alex",
        "reach": ["+15550000001", "alex@example.org"],
    }


def test_a_body_survives_a_json_round_trip_unchanged() -> None:
    payload = render(delivery(BLAIR, DANA_HOOK), context()).payload
    assert msgspec.json.decode(msgspec.json.encode(payload)) == payload


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        (MessageKind.ACK_NOTE, "tandem.ack_note"),
        (MessageKind.ALL_CLEAR, "tandem.all_clear"),
        (MessageKind.NO_ANSWER, "tandem.no_answer"),
    ],
)
def test_each_note_has_its_own_type(message: MessageKind, kind: str) -> None:
    payload = render(delivery(ALEX, ALEX_HOOK, tier=0, message=message), context()).payload
    assert (payload["type"], payload["tier"], "ack_url" in payload) == (kind, 0, False)


def test_an_ack_note_body_names_who_acknowledged() -> None:
    note = delivery(ALEX, ALEX_HOOK, tier=0, message=MessageKind.ACK_NOTE)
    assert render(note, context()).payload["acknowledged_by_name"] == "Dana"


def test_a_consent_request_body_has_the_consent_link_and_no_activation() -> None:
    ask = delivery(DANA, DANA_HOOK, tier=0, message=MessageKind.CONSENT_REQUEST, activation_id=None)
    ctx = context(activation=None, consent_url=CONSENT_URL, partner_names=("Alex", "Blair"))
    payload = render(ask, ctx).payload
    assert payload["type"] == "tandem.consent_request"
    assert (payload["activation_id"], payload["level"]) == (None, None)
    assert payload["consent_url"] == CONSENT_URL
    assert payload["requested_by"] == ["Alex", "Blair"]


def test_a_timestamp_is_rfc3339_in_utc() -> None:
    east = NOW.astimezone(timezone(timedelta(hours=2)))
    assert rfc3339(east) == "2026-03-01T12:00:00Z"
    assert rfc3339(NOW + timedelta(microseconds=5)) == "2026-03-01T12:00:00.000005Z"


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        rfc3339(datetime(2026, 3, 1, 12, 0))  # noqa: DTZ001 - the point of the test
