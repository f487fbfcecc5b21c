"""How version conflicts are counted: retried, given up (409), or the client's (412)."""

from uuid import UUID

import pytest
from prometheus_client import REGISTRY

from planner.handlers import MAX_ATTEMPTS, _conflicted
from planner.handlers.results import PreconditionFailed
from planner.store.event_store import StreamVersionConflict

CONFLICT = StreamVersionConflict(UUID(int=1), 3, 4)


def count(outcome: str) -> float:
    return REGISTRY.get_sample_value("tandem_version_conflicts_total", {"outcome": outcome}) or 0.0


def test_a_conflict_with_attempts_left_counts_as_retried() -> None:
    before = count("retried")
    _conflicted(1, None, CONFLICT)
    assert count("retried") - before == 1


def test_a_conflict_on_the_last_attempt_counts_as_given_up() -> None:
    before, retried = count("gave_up"), count("retried")
    _conflicted(MAX_ATTEMPTS, None, CONFLICT)
    assert (count("gave_up") - before, count("retried") - retried) == (1, 0)


def test_a_conflict_under_if_match_is_the_clients_and_is_not_retried() -> None:
    before = count("precondition_failed")
    with pytest.raises(PreconditionFailed):
        _conflicted(1, 3, CONFLICT)
    assert count("precondition_failed") - before == 1
