"""When a tier's timer fires: escalate, tell the activator nobody answered, or do nothing."""

from datetime import timedelta

import pytest

from notifier.domain.escalation import (
    ActivationStatus,
    Escalate,
    NoAnswer,
    Nothing,
    UnknownTier,
    fires_at,
    next_step,
)
from tests.unit.notifier_domain.builders import NOW, activation


def test_an_unanswered_first_tier_escalates_to_the_second_with_its_timeout() -> None:
    step = next_step(activation(), 1, ActivationStatus.TRIGGERED)
    assert step == Escalate(tier=2, ack_timeout_seconds=600)


def test_an_unanswered_last_tier_means_no_answer() -> None:
    assert next_step(activation(), 2, ActivationStatus.TRIGGERED) == NoAnswer()


@pytest.mark.parametrize("status", [ActivationStatus.ACKNOWLEDGED, ActivationStatus.RESOLVED])
@pytest.mark.parametrize("fired_tier", [1, 2])
def test_a_late_timer_after_an_answer_or_resolution_pages_nobody(
    status: ActivationStatus, fired_tier: int
) -> None:
    assert next_step(activation(), fired_tier, status) == Nothing()


def test_a_timer_fires_its_tier_timeout_after_it_started() -> None:
    assert fires_at(activation(), 1, NOW) == NOW + timedelta(seconds=300)
    assert fires_at(activation(), 2, NOW) == NOW + timedelta(seconds=600)


def test_a_timer_for_a_tier_the_activation_lacks_is_an_error() -> None:
    with pytest.raises(UnknownTier) as raised:
        fires_at(activation(), 3, NOW)
    assert raised.value.tier == 3
