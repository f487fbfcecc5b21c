"""Running an erasure: the events, the read models' rows and the data key in one transaction.

A participant is erased from every plan they are a partner of (each plan decides: an open
request for help on any of them refuses the whole erasure, and nothing changes); a support
contact from the plan that holds them. The text of the person the plans' states hold is
gathered first, to find copies of it in stored answers (``remnants``). Once committed, the
plans are kept as now folded, the relay is woken (the notifier erases its own copies when
the events reach it), and the tables touched are compacted (``compaction``).
"""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import msgspec
import structlog

from contracts.envelope import Metadata
from contracts.events import PlanEvent
from contracts.ids import ContactId, ParticipantId
from planner.domain.decide_erasure import decide_erasure
from planner.domain.erased_text import of_contact, of_participant
from planner.domain.erasure_commands import EraseParticipant, EraseSupportContact, ErasureCommand
from planner.domain.errors import PlanNotFound
from planner.domain.state import PlanState
from planner.erasure import compaction, remnants
from planner.handlers.attempt import new_event_id
from planner.handlers.results import ConcurrencyConflict
from planner.metrics import appended
from planner.relay import wake
from planner.store import appending, plan_states, read_models
from planner.store.event_store import Connection, NewEvent, StreamVersionConflict
from planner.store.sealing import shred

log = structlog.stdlib.get_logger("planner.erasure")

MAX_ATTEMPTS = 5
DATA_KEYS_TABLE = "data_keys"  # the sealing keys: the shredded key's row is a dead tuple too
CONTACT_OF = """
SELECT stream_id FROM events
WHERE event_type = 'plan.support_contact_added' AND payload ->> 'contact_id' = $1::text
LIMIT 1
"""


class Erased(msgspec.Struct, frozen=True, kw_only=True):
    """What an erasure did: the plans it was recorded on (none: erased already), and the
    cleanup steps PostgreSQL did not allow (see ``compaction``)."""

    plan_ids: list[UUID]
    skipped: list[str] = msgspec.field(default_factory=list)


class _Recorded(msgspec.Struct, frozen=True, kw_only=True):
    plan_id: UUID
    events: tuple[PlanEvent, ...]


Once = Callable[[Connection], Awaitable[list[_Recorded]]]


async def erase_participant(
    pool: asyncpg.Pool, participant_id: ParticipantId, *, by: str, actor: str, chain_key: bytes
) -> Erased:
    """Erase a participant everywhere; ``UnknownPerson`` when there is no such account."""

    async def once(conn: Connection) -> list[_Recorded]:
        texts = await remnants.account_text(conn, participant_id)
        recorded = []
        for plan_id in await read_models.plans_of(conn, participant_id):
            command = EraseParticipant(now=_now(), participant_id=participant_id, by=by)
            done, state = await _on_plan(conn, plan_id, command, actor, chain_key)
            texts |= of_participant(state, participant_id)
            recorded += done
        await remnants.remove_account(conn, participant_id)
        await remnants.remove_answers_holding(conn, participant_id, texts)
        await shred(conn, participant_id)
        return recorded

    tables = (*remnants.ACCOUNT_TABLES, *remnants.ANSWER_TABLES, DATA_KEYS_TABLE)
    return await _run(pool, once, tables, "participant")


async def erase_contact(
    pool: asyncpg.Pool,
    contact_id: ContactId,
    *,
    by: str,
    actor: str,
    chain_key: bytes,
    plan_id: UUID | None = None,
    partner: ParticipantId | None = None,
) -> Erased:
    """Erase a support contact from the plan that holds them (found when not given);
    ``UnknownPerson`` when no plan ever held them."""

    async def once(conn: Connection) -> list[_Recorded]:
        held_by = plan_id or await plan_of_contact(conn, contact_id)
        command = EraseSupportContact(now=_now(), contact_id=contact_id, by=by, actor=partner)
        done, state = await _on_plan(conn, held_by, command, actor, chain_key)
        await remnants.remove_answers_holding(conn, contact_id, of_contact(state, contact_id))
        await shred(conn, contact_id)
        return done

    return await _run(pool, once, (*remnants.ANSWER_TABLES, DATA_KEYS_TABLE), "contact")


async def plan_of_contact(conn: Connection, contact_id: UUID) -> UUID:
    plan_id = await conn.fetchval(CONTACT_OF, str(contact_id))
    if plan_id is None:
        raise remnants.UnknownPerson(f"no support contact {contact_id}")
    return UUID(str(plan_id))


async def _on_plan(
    conn: Connection, plan_id: UUID, command: ErasureCommand, actor: str, chain_key: bytes
) -> tuple[list[_Recorded], PlanState]:
    """Decide the erasure on one plan and append it; the plan as it was before, for its text."""
    state, head = await plan_states.PLANS.load_with_head(conn, plan_id)
    if state is None:
        raise PlanNotFound(plan_id)
    events = decide_erasure(state, command)
    if not events:
        return [], state
    batch = [NewEvent(event_id=new_event_id(), event=event) for event in events]
    metadata = Metadata(actor=actor, correlation_id=new_event_id())
    await appending.append(
        conn,
        plan_id,
        batch,
        state.version,
        metadata,
        chain_key=chain_key,
        notify=False,
        may_be_stored=False,
        head=head,
    )
    await read_models.project(conn, plan_id, events)
    return [_Recorded(plan_id=plan_id, events=tuple(events))], state


async def _run(pool: asyncpg.Pool, once: Once, tables: tuple[str, ...], kind: str) -> Erased:
    for _ in range(MAX_ATTEMPTS):
        try:
            async with pool.acquire() as conn, conn.transaction():
                recorded = await once(conn)
        except StreamVersionConflict:
            continue
        _committed(pool, recorded)
        skipped = await compaction.compact(pool, tables)
        log.info("erasure.done", kind=kind, plans=len(recorded), skipped=len(skipped))
        return Erased(plan_ids=[r.plan_id for r in recorded], skipped=skipped)
    raise ConcurrencyConflict("the plans kept changing during the erasure; try again")


def _committed(pool: asyncpg.Pool, recorded: list[_Recorded]) -> None:
    for done in recorded:
        appended(done.events)
        # Folded again from the store on its next load, where the shredded fields read as
        # erased: the state folded here still holds what the state cannot tell is theirs.
        plan_states.PLANS.forget(done.plan_id)
    if recorded:
        wake.after_commit(pool)


def _now() -> datetime:
    return datetime.now(UTC)
