"""The history page has words for every event of the plan's stream."""

from typing import get_args

from contracts.events import PlanEvent
from planner.web.routes.check_ins import EVENT_WORDS


def test_every_plan_event_has_words_on_the_history_page() -> None:
    tags = {event.__struct_config__.tag for event in get_args(PlanEvent)}
    assert tags == set(EVENT_WORDS)
