"""Upcasting: events stored in an older shape are read in the current one."""

import msgspec
import pytest

from contracts.events import WarningSignAdded, encode
from contracts.upcasting import UnknownVersion, current_version, decode_stored, upcast
from contracts.vocabulary import Level
from tests.support.builders import ALEX, SIGN_ID

V1_SIGN = msgspec.json.encode(
    {
        "type": "plan.warning_sign_added",
        "sign_id": str(SIGN_ID),
        "owner_id": str(ALEX),
        "category": "sleep",
        "description": "Up past 3am",
    }
)


def test_a_version_1_warning_sign_is_read_as_a_sign_to_watch() -> None:
    event = decode_stored("plan.warning_sign_added", 1, V1_SIGN)
    assert event == WarningSignAdded(
        sign_id=SIGN_ID,
        owner_id=ALEX,
        category="sleep",
        description="Up past 3am",
        level=Level.WATCH,
    )


def test_a_version_1_sign_does_not_decode_without_its_upcaster() -> None:
    with pytest.raises(msgspec.ValidationError, match="level"):
        decode_stored("plan.warning_sign_added", 2, V1_SIGN)


def test_a_current_event_is_read_as_stored() -> None:
    sign = WarningSignAdded(
        sign_id=SIGN_ID, owner_id=ALEX, category="sleep", description="x", level=Level.CRISIS
    )
    version = current_version("plan.warning_sign_added")
    assert version == 2
    assert decode_stored("plan.warning_sign_added", version, encode(sign)) == sign


def test_types_that_never_changed_are_at_version_1() -> None:
    assert current_version("plan.created") == 1
    assert upcast("plan.created", 1, {"a": 1}) == {"a": 1}


def test_a_version_newer_than_this_release_is_refused_not_guessed() -> None:
    with pytest.raises(UnknownVersion, match="newer"):
        decode_stored("plan.warning_sign_added", 3, V1_SIGN)


def test_a_missing_upcaster_is_an_error() -> None:
    with pytest.raises(UnknownVersion, match="no upcaster"):
        upcast("plan.warning_sign_added", 0, {})
