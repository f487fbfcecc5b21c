"""One try of a command: decide on the plan (kept in memory, or read), then append.

Most often there is no read at all: a first try decides on the plan kept in memory
(``plan_states``), and when that yields events, its append checks in the same statement
that the plan's last event is still the kept one. A plan that moved, or a database that is
behind, is a conflict whose retry reads; a kept plan that decides nothing, or refuses, is
decided again on a read, since it may be behind.
"""

import contextlib
from typing import NamedTuple
from uuid import UUID

from common.ids import new_id
from contracts.envelope import Metadata
from contracts.events import PlanEvent
from contracts.ids import EventId
from planner.domain.commands import PlanCommand
from planner.domain.decide import decide
from planner.domain.errors import DomainError, PlanNotFound
from planner.domain.evolve import fold
from planner.domain.state import PlanState
from planner.handlers.results import CommandResult, PreconditionFailed
from planner.store import appending, plan_states, read_models
from planner.store.event_store import Connection, NewEvent, StreamHead


class Run(NamedTuple):
    """One run of a command on a plan: what its events record, and what its append checks."""

    plan_id: UUID
    command: PlanCommand
    metadata: Metadata
    chain_key: bytes
    if_match: int | None = None  # the version the client last saw, when it named one


class _Appended(NamedTuple):
    version: int
    head: StreamHead | None
    last_event_id: EventId


def new_event_id() -> EventId:
    return EventId(new_id())


async def decide_and_append(conn: Connection, run: Run, *, on_kept: bool) -> CommandResult:
    """Decide, and append what was decided; ``on_kept``: decide first on the kept plan."""
    state, head, events = await _decided(conn, run, on_kept=on_kept)
    appended = await _append(conn, run, state, head, events) if events else None
    if appended is not None:
        state = fold(events, state)
    if state is None:  # decide refuses every command but CreatePlan on a missing plan
        raise PlanNotFound(run.plan_id)
    if appended is None:  # nothing decided
        return CommandResult(
            plan_id=run.plan_id, version=state.version, events=tuple(events), state=state
        )
    return CommandResult(
        plan_id=run.plan_id,
        version=appended.version,
        events=tuple(events),
        state=state,
        appended=tuple(events),
        head=appended.head,
        last_event_id=appended.last_event_id,
    )


async def _decided(
    conn: Connection, run: Run, *, on_kept: bool
) -> tuple[PlanState | None, StreamHead | None, list[PlanEvent]]:
    """The plan, its head and the events the command makes of it."""
    decided = _decided_on_kept(run) if on_kept else None
    if decided is not None:
        return decided
    state, head = await plan_states.PLANS.load_with_head(conn, run.plan_id)
    version = 0 if state is None else state.version
    if run.if_match is not None and run.if_match != version:
        raise PreconditionFailed(run.if_match, version)
    return state, head, decide(state, run.command)


def _decided_on_kept(run: Run) -> tuple[PlanState, StreamHead, list[PlanEvent]] | None:
    """The events the command makes of the plan kept in memory, with that plan and its head;
    None when nothing is kept, or when the kept plan decides nothing or refuses: the kept
    plan may be behind, so only a read can say so. With ``If-Match`` the plan is read, so
    that a 412 names the version the plan is really at."""
    kept = plan_states.PLANS.kept(run.plan_id) if run.if_match is None else None
    if kept is None:
        return None
    state, head = kept
    try:
        events = decide(state, run.command)
    except DomainError:
        return None
    return (state, head, events) if events else None


async def _append(
    conn: Connection,
    run: Run,
    state: PlanState | None,
    head: StreamHead | None,
    events: list[PlanEvent],
) -> _Appended:
    """Append the events on the version decided on, with the read models they change."""
    batch = [NewEvent(event_id=new_event_id(), event=event) for event in events]
    version = 0 if state is None else state.version
    # Read models need a transaction with the events, unless the caller holds one.
    together = read_models.projects_any(events) and not conn.is_in_transaction()
    async with conn.transaction() if together else contextlib.nullcontext():
        # Not a notifying transaction: PostgreSQL would serialise its commit with every
        # other notifying one (see relay.wake). The relay is woken once this commits.
        result = await appending.append(
            conn,
            run.plan_id,
            batch,
            version or "no_stream",
            run.metadata,
            chain_key=run.chain_key,
            notify=False,
            may_be_stored=False,  # every id was made just now: no earlier append stored it
            head=head,  # as just read, or kept: the insert checks it is still current
        )
        await read_models.project(conn, run.plan_id, events)
    return _Appended(result.version, result.head, batch[-1].event_id)
