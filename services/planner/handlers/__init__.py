"""The one orchestrator: load → decide → append (+ outbox, read models), retry on conflict.

The plan's stream is read, ``decide`` turns the command into events, and the events, their
outbox rows, the authorization read models and the stored Idempotency-Key response commit
together or not at all. Then the relay is woken.

The read needs no transaction: the append names the version it was decided on, and a
plan that moved in between is a conflict, decided again. So a command whose only write is
its append (most are: activations, answers) runs without BEGIN and
COMMIT, the append being one statement; one that also writes read models or an
Idempotency-Key response writes them and its events in one transaction.

``attempt`` is one try (and how a first try decides on the plan kept in memory);
``results`` what a command answers.
"""

from collections.abc import Callable
from typing import Protocol, TypeVar
from uuid import UUID

import asyncpg

from contracts.envelope import Metadata
from planner.domain.commands import PlanCommand
from planner.domain.state import PlanState
from planner.handlers.attempt import Run as Run
from planner.handlers.attempt import decide_and_append
from planner.handlers.results import CommandResult, ConcurrencyConflict, PreconditionFailed
from planner.metrics import VERSION_CONFLICTS, appended
from planner.relay import wake
from planner.store import idempotency, plan_states
from planner.store.event_store import Connection, Executor, StreamVersionConflict
from planner.store.idempotency import IdempotencyRace, IdempotencyRequest, StoredResponse

MAX_ATTEMPTS = 5

Render = Callable[[CommandResult], StoredResponse]
T_co = TypeVar("T_co", covariant=True)


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
) -> CommandResult:
    """Run a command, retrying when another writer moved the plan in between."""
    run = Run(plan_id, command, metadata, chain_key, if_match)

    async def once(conn: Connection, *, on_kept: bool) -> tuple[CommandResult, CommandResult]:
        result = await decide_and_append(conn, run, on_kept=on_kept)
        return result, result

    return await _retrying(pool, run, once)


async def execute_idempotent(
    pool: asyncpg.Pool, run: Run, request: IdempotencyRequest, render: Render
) -> StoredResponse:
    """Like :func:`execute`, but a repeated ``Idempotency-Key`` returns the first response."""

    async def once(
        conn: Connection, *, on_kept: bool
    ) -> tuple[StoredResponse, CommandResult | None]:
        async with conn.transaction():
            stored = await idempotency.find(conn, request)
            if stored is not None:
                return stored, None
            result = await decide_and_append(conn, run, on_kept=on_kept)
            response = render(result)
            await idempotency.save(conn, request, response)
        return response, result

    return await _retrying(pool, run, once)


class _Once(Protocol[T_co]):
    """One try on a connection: the answer, and the command's result when it ran now."""

    async def __call__(
        self, conn: Connection, *, on_kept: bool
    ) -> tuple[T_co, CommandResult | None]: ...


async def _retrying(pool: asyncpg.Pool, run: Run, once: _Once[T_co]) -> T_co:
    """Try ``once`` until no other writer moved the plan in between; a first try decides on
    the plan kept in memory."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            async with pool.acquire() as conn:
                answer, result = await once(conn, on_kept=attempt == 1)
        except StreamVersionConflict as exc:
            _conflicted(attempt, run.if_match, exc)
            continue
        except IdempotencyRace:
            continue  # the other request committed: the next attempt returns its response
        if result is not None:
            _committed(pool, result)
        return answer
    raise ConcurrencyConflict(f"plan {run.plan_id} kept changing; try again")


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
