"""Plans as folded so far, kept in memory so that loading one reads only its newer events.

Every command loads its plan. Folding the whole stream each time made a command's cost
grow with the plan's history (every delivery report is an event on it); with a state kept
here, a load reads the stream from the kept version on and folds only what is new.

The database stays the truth. A kept state is a shortcut that is checked on every use: the
load reads from the kept version itself, and the event stored there must be the one the
state was folded up to. A restored or re-created database where that event is missing or
different makes the load fold the whole stream again. Only states folded from rows that a
read returned are kept: reads see committed rows (a load runs before its command writes),
so a rolled-back attempt never leaves a state here. States are immutable, so sharing them
between requests is safe.

Each load also hands back the stream's head (its last event's version, hash and time) as
just read, so the append that follows need not read it again.
"""

from collections import OrderedDict
from typing import NamedTuple
from uuid import UUID

from contracts.envelope import Envelope
from contracts.ids import EventId
from planner.domain.evolve import fold
from planner.domain.state import PlanState
from planner.store import event_store
from planner.store.event_store import Executor, StreamHead

CAPACITY = 2048
"""Plans kept, least recently used first out: the active ones, not every plan there is."""


class _Kept(NamedTuple):
    state: PlanState
    last_event_id: EventId


class PlanStates:
    """A bounded, least-recently-used map of plan id to its folded state."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._kept: OrderedDict[UUID, _Kept] = OrderedDict()

    async def load(self, conn: Executor, plan_id: UUID) -> PlanState | None:
        """The plan as the database has it now; ``None`` when it has no events."""
        state, _ = await self.load_with_head(conn, plan_id)
        return state

    async def load_with_head(
        self, conn: Executor, plan_id: UUID
    ) -> tuple[PlanState | None, StreamHead | None]:
        """The plan as the database has it now, and its stream's head as just read."""
        kept = self._kept.get(plan_id)
        if kept is not None:
            # From the kept version itself, to check that its event is still there.
            envelopes, head = await event_store.read_stream_and_head(
                conn, plan_id, after_version=kept.state.version - 1
            )
            if envelopes and envelopes[0].event_id == kept.last_event_id:
                return self._keep(plan_id, kept, envelopes[1:], head)
            del self._kept[plan_id]
        envelopes, head = await event_store.read_stream_and_head(conn, plan_id)
        return self._keep(plan_id, None, envelopes, head)

    def forget(self, plan_id: UUID) -> None:
        self._kept.pop(plan_id, None)

    def clear(self) -> None:
        self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept)

    def _keep(
        self,
        plan_id: UUID,
        kept: _Kept | None,
        envelopes: list[Envelope],
        head: StreamHead | None,
    ) -> tuple[PlanState | None, StreamHead | None]:
        if envelopes:
            state = fold((e.event for e in envelopes), kept.state if kept else None)
            kept = None if state is None else _Kept(state, envelopes[-1].event_id)
        if kept is None:
            return None, None
        self._kept[plan_id] = kept
        self._kept.move_to_end(plan_id)
        while len(self._kept) > self.capacity:
            self._kept.popitem(last=False)
        return kept.state, head


PLANS = PlanStates()
"""The process's plans: the check on every load makes one map safe for every database."""
