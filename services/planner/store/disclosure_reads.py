"""A participant's accounting of disclosures, read from the event log.

For each plan they are a partner of: the plan's stream and the delivery streams its
messages were reported on (each activation's; for a consent request, its contact's; for a
note to a partner about a contact, that partner's), folded by ``domain.disclosure_facts``
and read by ``domain.disclosures``. Oldest first, paged by the position of each message's
first report. Computed per request from the log, so it is as complete as the log and
costs a read of the person's plans' histories.
"""

from uuid import UUID

import msgspec

from contracts.events import PartnerJoined, PlanActivated, PlanCreated
from contracts.support_events import SupportContactAdded
from planner.domain.disclosure_facts import Recorded, facts_of
from planner.domain.disclosures import Disclosure, disclosures_about
from planner.store import event_store, read_models
from planner.store.event_store import Executor


class DisclosurePage(msgspec.Struct, frozen=True, kw_only=True):
    disclosures: list[Disclosure]
    next_after: int | None  # pass as ``after`` for the next page; null on the last page


async def plan_history(conn: Executor, plan_id: UUID) -> list[Recorded]:
    """The plan's events and its delivery streams', in position order."""
    own = await event_store.read_stream(conn, plan_id)
    others: set[UUID] = set()
    for envelope in own:
        match envelope.event:
            case PlanActivated():
                others.add(envelope.event.activation_id)
            case SupportContactAdded():
                others.add(envelope.event.contact_id)
            case PlanCreated():
                others.add(envelope.event.created_by)
            case PartnerJoined():
                others.add(envelope.event.participant_id)
            case _:
                pass
    delivered = await event_store.read_streams(conn, sorted(others))
    envelopes = sorted([*own, *delivered], key=lambda e: e.position)
    return [Recorded(event_id=e.event_id, position=e.position, event=e.event) for e in envelopes]


async def disclosures_of(conn: Executor, participant_id: UUID) -> list[Disclosure]:
    """Every message about ``participant_id`` sent to someone else, oldest first."""
    found: list[Disclosure] = []
    for plan_id in await read_models.plans_of(conn, participant_id):
        facts = facts_of(plan_id, await plan_history(conn, plan_id))
        found += disclosures_about(facts, participant_id)
    return sorted(found, key=lambda d: d.position)


async def page(conn: Executor, participant_id: UUID, after: int, limit: int) -> DisclosurePage:
    """The disclosures after position ``after``, at most ``limit`` of them."""
    rows = [d for d in await disclosures_of(conn, participant_id) if d.position > after]
    shown = rows[:limit]
    next_after = shown[-1].position if len(rows) > limit else None
    return DisclosurePage(disclosures=shown, next_after=next_after)
