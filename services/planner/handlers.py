"""The one orchestrator: load → decide → append (+ outbox, read models), retry on conflict.

The plan's stream is read, ``decide`` turns the command into events, and the events, their
outbox rows, the authorization read models and the stored Idempotency-Key response commit
together or not at all. Then the relay is woken.

The read needs no transaction: the append names the version it was decided on, and a
plan that moved in between is a conflict, decided again. So a command whose only write is
its append (most are: activations, answers, delivery reports) runs without BEGIN and
COMMIT, the append being one statement; one that also writes read models or an
Idempotency-Key response writes them and its events in one transaction.

Most often there is no read at all: a command first decides on the plan kept in memory
(``plan_states``), and when that yields events, its append checks in the same statement
that the plan's last event is still the kept one. A plan that moved, or a database that is
behind, is a conflict whose retry reads; a kept plan that decides nothing, or refuses, is
decided again on a read, since it may be behind.
"""

import contextlib
from collections.abc import Callable
from uuid import UUID

import asyncpg
import msgspec

from contracts.envelope import Metadata
from contracts.events import PlanEvent
from contracts.ids import EventId
from planner.domain.commands import PlanCommand
from planner.domain.decide import decide
from planner.domain.errors import DomainError, PlanNotFound
from planner.domain.evolve import fold
from planner.domain.state import PlanState
from planner.ids import new_id
from planner.metrics import VERSION_CONFLICTS, appended
from planner.relay import wake
from planner.store import appending, event_store, idempotency, plan_states, read_models
from planner.store.event_store import (
    Connection,
    Executor,
    NewEvent,
    StreamHead,
    StreamVersionConflict,
)
from planner.store.idempotency import IdempotencyRace, IdempotencyRequest, StoredResponse

MAX_ATTEMPTS = 5


class CommandResult(msgspec.Struct, frozen=True, kw_only=True):
    plan_id: UUID
    version: int
    events: tuple[PlanEvent, ...]
    state: PlanState
    appended: tuple[PlanEvent, ...] = ()
    """The events this command stored: none when decided nothing, or a repeated report."""
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


Render = Callable[[CommandResult], StoredResponse]


def new_event_id() -> EventId:
    return EventId(new_id())


async def load(conn: Executor, plan_id: UUID) -> PlanState | None:
    """The plan as stored now, folding only the events since the state kept in memory."""
    return await plan_states.PLANS.load(conn, plan_id)


async def execute(
    pool: asyncpg.Pool,
    plan_id: UUID,
    command: PlanCommand,
    metadata: Metadata,
    *,
    chain_key: bytes,
    if_match: int | None = None,
    event_id: EventId | None = None,
) -> CommandResult:
    """Run a command, retrying when another writer moved the plan in between.

    ``event_id`` names the one event a command reported by another service causes, so a
    report that arrives twice is stored once (the store treats the repeat as a no-op).
    """
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            async with pool.acquire() as conn:
                result = await _attempt(
                    conn, plan_id, command, metadata, chain_key, if_match, event_id, attempt == 1
                )
        except StreamVersionConflict as exc:
            _conflicted(attempt, if_match, exc)
            continue
        _committed(pool, result)
        return result
    raise ConcurrencyConflict(f"plan {plan_id} kept changing; try again")


async def execute_idempotent(
    pool: asyncpg.Pool,
    plan_id: UUID,
    command: PlanCommand,
    metadata: Metadata,
    request: IdempotencyRequest,
    render: Render,
    *,
    chain_key: bytes,
    if_match: int | None = None,
) -> StoredResponse:
    """Like :func:`execute`, but a repeated ``Idempotency-Key`` returns the first response."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            async with pool.acquire() as conn, conn.transaction():
                stored = await idempotency.find(conn, request)
                if stored is not None:
                    return stored
                result = await _attempt(
                    conn, plan_id, command, metadata, chain_key, if_match, None, attempt == 1
                )
                response = render(result)
                await idempotency.save(conn, request, response)
        except StreamVersionConflict as exc:
            _conflicted(attempt, if_match, exc)
            continue
        except IdempotencyRace:
            continue  # the other request committed: the next attempt returns its response
        _committed(pool, result)
        return response
    raise ConcurrencyConflict(f"plan {plan_id} kept changing; try again")


def _committed(pool: asyncpg.Pool, result: CommandResult) -> None:
    """Once committed, never for a rolled-back try: count the events, keep the plan as it
    now is, and wake the relay."""
    if result.appended:
        appended(result.appended)
        if result.head is not None and result.last_event_id is not None:
            plan_states.PLANS.advance(
                result.plan_id, result.state, result.head, result.last_event_id
            )
        wake.after_commit(pool)


def _conflicted(attempt: int, if_match: int | None, exc: StreamVersionConflict) -> None:
    """Count a version conflict; with If-Match it is the client's to resolve (412)."""
    if if_match is not None:
        VERSION_CONFLICTS.labels(outcome="precondition_failed").inc()
        raise PreconditionFailed(if_match, exc.actual or 0) from exc
    VERSION_CONFLICTS.labels(outcome="retried" if attempt < MAX_ATTEMPTS else "gave_up").inc()


async def _attempt(
    conn: Connection,
    plan_id: UUID,
    command: PlanCommand,
    metadata: Metadata,
    chain_key: bytes,
    if_match: int | None,
    event_id: EventId | None = None,
    on_kept: bool = False,
) -> CommandResult:
    decided = _decided_on_kept(plan_id, command, if_match) if on_kept else None
    state: PlanState | None
    head: StreamHead | None
    if decided is not None:
        state, head, events = decided
    else:
        state, head = await plan_states.PLANS.load_with_head(conn, plan_id)
        if if_match is not None and if_match != (0 if state is None else state.version):
            raise PreconditionFailed(if_match, 0 if state is None else state.version)
        events = decide(state, command)
    version = 0 if state is None else state.version
    stored: tuple[PlanEvent, ...] = ()
    new_head: StreamHead | None = None
    last_event_id: EventId | None = None
    if events:
        ids = [event_id] if event_id is not None and len(events) == 1 else None
        batch = [
            NewEvent(event_id=ids[n] if ids else new_event_id(), event=event)
            for n, event in enumerate(events)
        ]
        expected: event_store.Expected = version if version else "no_stream"
        # Read models need a transaction with the events, unless the caller holds one.
        together = read_models.projects_any(events) and not conn.is_in_transaction()
        async with conn.transaction() if together else contextlib.nullcontext():
            # Not a notifying transaction: PostgreSQL would serialise its commit with every
            # other notifying one (see relay.wake). The relay is woken once this commits.
            result = await appending.append(
                conn,
                plan_id,
                batch,
                expected,
                metadata,
                chain_key=chain_key,
                notify=False,
                may_be_stored=ids is not None,  # only a reported event's id can repeat
                head=head,  # as just read, or kept: the insert checks it is still current
            )
            if not result.duplicate:  # a repeated report is already in the state we loaded
                await read_models.project(conn, plan_id, events)
        if not result.duplicate:
            state = fold(events, state)
            version = result.version
            stored = tuple(events)
            new_head, last_event_id = result.head, batch[-1].event_id
    if state is None:  # decide refuses every command but CreatePlan on a missing plan
        raise PlanNotFound(plan_id)
    return CommandResult(
        plan_id=plan_id,
        version=version,
        events=tuple(events),
        state=state,
        appended=stored,
        head=new_head,
        last_event_id=last_event_id,
    )


def _decided_on_kept(
    plan_id: UUID, command: PlanCommand, if_match: int | None
) -> tuple[PlanState, StreamHead, list[PlanEvent]] | None:
    """The events ``command`` makes of the plan kept in memory, with that plan and its head;
    None when nothing is kept, or when the kept plan decides nothing or refuses: the kept
    plan may be behind, so only a read can say so. With ``If-Match`` the plan is read, so
    that a 412 names the version the plan is really at."""
    kept = plan_states.PLANS.kept(plan_id) if if_match is None else None
    if kept is None:
        return None
    state, head = kept
    try:
        events = decide(state, command)
    except DomainError:
        return None
    return (state, head, events) if events else None
