"""Sealing a field and opening it again, without a database: keys, nonces, bound data."""

import os
from typing import Any
from uuid import UUID

import msgspec
import pytest

from planner.store import data_keys, unsealing
from planner.store.data_keys import DataKey, SealingError
from planner.store.sealing import ERASED
from tests.support.builders import ALEX, BLAIR, CHAIN_KEY

EVENT = UUID("01950000-0000-7000-8000-0000000000e7")
OTHER_EVENT = UUID("01950000-0000-7000-8000-0000000000e8")


def key_rows(*subjects: UUID) -> list[dict[str, Any]]:
    """Rows as ``data_keys`` holds them: a fresh key per subject, wrapped under the KEK."""
    kek = data_keys.KEYRING.learn(CHAIN_KEY)
    return [
        {
            "subject_id": s,
            "key_id": data_keys.new_key_id(),
            "wrapped": data_keys.new_wrapped(kek, s),
            "kek_id": kek.kek_id,
            "shredded": False,
        }
        for s in subjects
    ]


def test_a_sealed_field_opens_with_its_key_and_bound_data() -> None:
    key = DataKey(os.urandom(32))
    sealed = key.seal("Zephyrine-Q7", b"event|display_name")
    assert b"Zephyrine" not in sealed
    assert key.open(sealed, b"event|display_name") == "Zephyrine-Q7"


def test_sealing_is_deterministic_for_the_same_event_path_and_text_only() -> None:
    key = DataKey(os.urandom(32))
    first = key.seal("a note", b"e1|note")
    assert key.seal("a note", b"e1|note") == first  # a retried append stores the same bytes
    nonces = {
        key.seal("a note", b"e2|note")[:12],
        key.seal("a note", b"e1|reflection")[:12],
        key.seal("another note", b"e1|note")[:12],
        first[:12],
    }
    assert len(nonces) == 4
    assert DataKey(os.urandom(32)).seal("a note", b"e1|note") != first


def test_a_sealed_field_moved_to_another_event_or_field_does_not_open() -> None:
    key = DataKey(os.urandom(32))
    sealed = key.seal("a note", b"e1|note")
    for wrong in (b"e2|note", b"e1|reflection"):
        with pytest.raises(SealingError):
            key.open(sealed, wrong)
    with pytest.raises(SealingError):
        DataKey(os.urandom(32)).open(sealed, b"e1|note")


def test_a_wrapped_key_unwraps_only_for_its_subject() -> None:
    [row] = key_rows(ALEX)
    alex = data_keys.unwrapped(row["kek_id"], row["wrapped"], ALEX)
    assert alex.open(alex.seal("x", b"aad"), b"aad") == "x"
    with pytest.raises(SealingError):
        data_keys.unwrapped(row["kek_id"], row["wrapped"], BLAIR)


def test_a_key_under_an_unknown_secret_is_refused_with_a_clear_message() -> None:
    [row] = key_rows(ALEX)
    with pytest.raises(SealingError, match="TANDEM_SECRET_KEY"):
        data_keys.unwrapped(b"\x00" * 8, row["wrapped"], ALEX)


def payload_of(keys: unsealing.Keys, subject: UUID) -> str:
    key = keys.sealing_key(subject)
    assert key is not None
    sealed = unsealing.sealed_value(key, subject, EVENT, ("recipients", 0, "display_name"), "Jo")
    note = unsealing.sealed_value(key, subject, EVENT, ("note",), "hard day")
    return msgspec.json.encode(
        {"type": "plan.x", "note": note, "recipients": [{"display_name": sealed, "tier": 1}]}
    ).decode()


def test_a_payload_opens_field_by_field_and_reads_erased_without_the_key() -> None:
    keys = unsealing.Keys(key_rows(ALEX))
    payload = payload_of(keys, ALEX)
    assert "Jo" not in payload
    assert "hard day" not in payload
    opened = msgspec.json.decode(unsealing.opened_with(keys, EVENT, payload))
    assert opened == {
        "type": "plan.x",
        "note": "hard day",
        "recipients": [{"display_name": "Jo", "tier": 1}],
    }
    shredded = unsealing.Keys([{"subject_id": ALEX, "key_id": None, "shredded": True}])
    for text in (unsealing.opened_with(shredded, EVENT, payload), unsealing.erased(EVENT, payload)):
        erased = msgspec.json.decode(text)
        assert erased["note"] == ERASED
        assert erased["recipients"][0]["display_name"] == ERASED
    with pytest.raises(SealingError):  # the same sealed fields, claimed by another event
        unsealing.opened_with(keys, OTHER_EVENT, payload)


def test_a_subject_with_two_keys_seals_with_the_lowest_and_opens_with_either() -> None:
    first, second = key_rows(ALEX, ALEX)
    keys = unsealing.Keys([first, second])
    chosen = keys.sealing_key(ALEX)
    assert chosen is not None
    assert chosen[0] == min(first["key_id"], second["key_id"])
    other = second if chosen[0] == first["key_id"] else first
    key = keys.get(str(ALEX), other["key_id"])
    assert key is not None
    value = unsealing.sealed_value((other["key_id"], key), ALEX, EVENT, ("note",), "mine")
    payload = msgspec.json.encode({"note": value}).decode()
    assert msgspec.json.decode(unsealing.opened_with(keys, EVENT, payload)) == {"note": "mine"}
    assert keys.get(str(BLAIR), other["key_id"]) is None  # a key opens for its subject only


def test_a_payload_without_a_sealed_field_passes_through_untouched() -> None:
    plain = '{"type": "plan.partner_joined", "display_name": "says \\"sealed\\" here"}'
    assert unsealing.opened_with(unsealing.Keys(), EVENT, plain) is plain
    older = '{"type":"plan.created","creator_name":"Alex"}'
    assert unsealing.erased(EVENT, older) is older
    assert unsealing.subjects_of([{"event_id": EVENT, "payload": older}]) == []
