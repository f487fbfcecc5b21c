"""Plans as folded so far, kept in memory so that loading one reads only its newer events.

Every command loads its plan. Folding the whole stream each time would make a command's
cost grow with the plan's history (every edit, activation and answer is an event on it);
with a state kept here, a load reads the stream from the kept version on and folds only
what is new.

The database stays the truth. A kept state is a shortcut that is checked on every use: the
load reads from the kept version itself, and the event stored there must be the one the
state was folded up to. A restored or re-created database where that event is missing or
different makes the load fold the whole stream again. States are kept from rows a read
returned (reads see committed rows), or from a command's own append once it committed
(``advance``), so a rolled-back attempt never leaves a state here. States are immutable, so
sharing them between requests is safe.

Each kept state comes with its stream's head (its last event's version, hash and time).
A command may decide on a kept state without reading (``kept``): its append then checks,
in the same statement, that this head is still the stream's last event
(``appending.append(head=...)``), so a state that fell behind is a conflict, and
the retry reads.
"""

from collections import OrderedDict
from typing import NamedTuple
from uuid import UUID

from contracts.envelope import Envelope
from contracts.erasure_events import ParticipantErased, SupportContactErased
from contracts.ids import EventId
from planner.domain.evolve import fold
from planner.domain.state import PlanState
from planner.store import event_store
from planner.store.event_store import Executor, StreamHead

ERASURES = (ParticipantErased, SupportContactErased)
CAPACITY = 2048
"""Plans kept, least recently used first out: the active ones, not every plan there is."""


class _Kept(NamedTuple):
    state: PlanState
    last_event_id: EventId
    head: StreamHead


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
                newer = envelopes[1:]
                # An erasure shredded a key: what the kept state holds in plaintext reads
                # as erased from the store now (a step's author is not in the state).
                if not any(isinstance(e.event, ERASURES) for e in newer):
                    return self._keep(plan_id, kept, newer, head)
            del self._kept[plan_id]
        envelopes, head = await event_store.read_stream_and_head(conn, plan_id)
        return self._keep(plan_id, None, envelopes, head)

    def kept(self, plan_id: UUID) -> tuple[PlanState, StreamHead] | None:
        """The kept state and its head, unchecked: only for a command whose append checks it."""
        kept = self._kept.get(plan_id)
        if kept is None:
            return None
        self._kept.move_to_end(plan_id)
        return kept.state, kept.head

    def advance(
        self, plan_id: UUID, state: PlanState, head: StreamHead, last_event_id: EventId
    ) -> None:
        """Keep the state a command's committed append left, unless a later one is kept."""
        kept = self._kept.get(plan_id)
        if kept is not None and kept.state.version >= state.version:
            return
        self._store(plan_id, _Kept(state, last_event_id, head))

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
        if envelopes and head is not None:
            state = fold((e.event for e in envelopes), kept.state if kept else None)
            kept = None if state is None else _Kept(state, envelopes[-1].event_id, head)
        if kept is None:
            return None, None
        self._store(plan_id, kept)
        return kept.state, head

    def _store(self, plan_id: UUID, kept: _Kept) -> None:
        self._kept[plan_id] = kept
        self._kept.move_to_end(plan_id)
        while len(self._kept) > self.capacity:
            self._kept.popitem(last=False)


PLANS = PlanStates()
"""The process's plans: the check on every load makes one map safe for every database."""
