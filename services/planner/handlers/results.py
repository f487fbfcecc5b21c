"""What running a command answers: its result, or why it did not run."""

from uuid import UUID

import msgspec

from contracts.events import PlanEvent
from contracts.ids import EventId
from planner.domain.state import PlanState
from planner.store.event_store import StreamHead


class CommandResult(msgspec.Struct, frozen=True, kw_only=True):
    plan_id: UUID
    version: int
    events: tuple[PlanEvent, ...]
    state: PlanState
    appended: tuple[PlanEvent, ...] = ()
    """The events this command stored: none when it decided nothing."""
    head: StreamHead | None = None
    """The stream's head after the events this command stored."""
    last_event_id: EventId | None = None


class PreconditionFailed(Exception):
    """``If-Match`` named a version the plan is no longer at (HTTP 412)."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(f"plan is at version {actual}, not {expected}")
        self.expected = expected
        self.actual = actual


class ConcurrencyConflict(Exception):
    """Others kept changing the plan through every retry (HTTP 409)."""
