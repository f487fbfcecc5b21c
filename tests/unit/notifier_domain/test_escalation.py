"""When a tier's timer fires: escalate, tell the activator nobody answered, or do nothing."""

from datetime import timedelta

import pytest

from contracts.events import ActivationTier
from notifier.domain.deliveries import tier_deliveries
from notifier.domain.escalation import (
    ActivationStatus,
    Escalate,
    NoAnswer,
    Nothing,
    UnknownTier,
    all_failed,
    fires_at,
    first_step,
    next_step,
)
from tests.unit.notifier_domain.builders import BLAIR, NOW, PLAN_ID, TIERS, activation


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


def test_a_new_activation_starts_with_its_lowest_tier() -> None:
    shuffled = activation(tiers=(TIERS[1], TIERS[0]))
    assert first_step(shuffled) == Escalate(tier=1, ack_timeout_seconds=300)


def test_an_activation_that_reaches_nobody_goes_straight_to_no_answer() -> None:
    assert first_step(activation(recipients=(), tiers=())) == NoAnswer()


def test_a_timer_fires_its_tier_timeout_after_it_started() -> None:
    assert fires_at(activation(), 1, NOW) == NOW + timedelta(seconds=300)
    assert fires_at(activation(), 2, NOW) == NOW + timedelta(seconds=600)


def test_a_timer_for_a_tier_the_activation_lacks_is_an_error() -> None:
    with pytest.raises(UnknownTier) as raised:
        fires_at(activation(), 3, NOW)
    assert raised.value.tier == 3


def test_a_tier_whose_every_delivery_failed_for_good_moves_on_early() -> None:
    planned = tier_deliveries(PLAN_ID, activation(), 1)
    failed = {p.claim_key() for p in planned}
    assert all_failed(planned, failed)


def test_one_delivery_not_failed_for_good_keeps_waiting_for_an_answer() -> None:
    planned = tier_deliveries(PLAN_ID, activation(), 1)
    failed = {p.claim_key() for p in planned[1:]}
    assert not all_failed(planned, failed)


def test_failures_of_other_tiers_do_not_count() -> None:
    planned = tier_deliveries(PLAN_ID, activation(), 2)
    other = {p.claim_key() for p in tier_deliveries(PLAN_ID, activation(), 1)}
    assert not all_failed(planned, other)


def test_a_tier_with_nothing_to_send_counts_as_failed() -> None:
    silent = ActivationTier(tier=1, recipient_ids=(BLAIR,), ack_timeout_seconds=300)
    nobody = activation(recipients=(), tiers=(silent,))
    assert all_failed(tier_deliveries(PLAN_ID, nobody, 1), set())
