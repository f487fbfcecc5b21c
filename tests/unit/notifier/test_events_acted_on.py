"""Which plan events the notifier's consumer handles in a transaction, and which it just acks."""

from typing import get_args

import pytest

from contracts.events import PlanEvent
from notifier.alerting.handlers import ACTED_ON

ACTED_ON_TYPES = {
    "plan.warning_sign_added",
    "plan.warning_sign_revised",
    "plan.consent_requested",
    "plan.disclosure_requested",
    "plan.consent_expiring",
    "plan.activated",
    "plan.activation_acknowledged",
    "plan.activation_resolved",
    "plan.sign_in_link_requested",
    "plan.participant_erased",
    "plan.support_contact_erased",
}


@pytest.mark.parametrize("event_class", get_args(PlanEvent), ids=lambda c: c.__name__)
def test_only_the_events_that_can_page_name_or_erase_someone_are_acted_on(
    event_class: type,
) -> None:
    tag = str(event_class.__struct_config__.tag)  # type: ignore[attr-defined]
    assert issubclass(event_class, ACTED_ON) is (tag in ACTED_ON_TYPES)
