"""The body guard: nesting measured on raw bytes, text that PostgreSQL can store."""

import pytest

from planner.api.bodies import MAX_DEPTH, check_nesting, check_text
from planner.api.errors import BodyTooDeep, ForbiddenText


def test_the_deepest_body_the_api_accepts_passes() -> None:
    check_nesting(b'{"level":"crisis","tiers":[{"contact_ids":["a"],"ack_timeout_seconds":60}]}')


def test_nesting_up_to_the_limit_passes_and_one_more_is_refused() -> None:
    check_nesting(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)
    with pytest.raises(BodyTooDeep):
        check_nesting(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1))


def test_brackets_inside_strings_do_not_count() -> None:
    text = b"[" * 1000 + b'\\"' + b"{" * 1000
    check_nesting(b'{"note": "' + text + b'"}')


def test_side_by_side_arrays_are_not_deep() -> None:
    check_nesting(b"[" + b"[1]," * 10_000 + b"[2]]")


def test_an_unclosed_deep_body_is_refused() -> None:
    with pytest.raises(BodyTooDeep):
        check_nesting(b"[" * 10_000)


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ({"note": "a\x00b"}, "note"),
        ({"note": "a\ud800"}, "note"),
        ({"note": "\udfff"}, "note"),
        ({"channels": [{"kind": "sms", "address": "\x00"}]}, "channels[0].address"),
        ({"tiers": [{"contact_ids": ["ok", "no\x00"]}]}, "tiers[0].contact_ids[1]"),
        ({"x\x00": 1}, "x\ufffd"),
        ("\x00", "body"),
    ],
)
def test_text_postgresql_cannot_store_is_refused_by_its_field(value: object, field: str) -> None:
    with pytest.raises(ForbiddenText) as refused:
        check_text(value)
    assert refused.value.field == field


def test_any_other_text_passes() -> None:
    check_text({"note": "tab\there, emoji 😀, BOM \ufeff, a \U0010ffff", "n": [1, None, True]})
