"""Who may learn about you: your own choice per support contact, and your "do not involve" list.

Your choice about a contact is a plan event (both partners see each one's choice; it is
how an activation's recipients are chosen). Your list is yours alone: it is kept apart from
the plan, and its reasons are shown to nobody but you.
"""

from uuid import UUID

from litestar import Response, delete, get, post, put
from litestar.params import FromPath, JSONBody

from common.ids import new_id
from contracts.ids import ContactId
from planner.api import people_commands
from planner.api.auth import require_participant
from planner.api.commands import now, versioned
from planner.api.deps import PartnerDep, PoolDep, PrincipalDep
from planner.api.errors import ResourceNotFound
from planner.api.privacy_schemas import (
    DisclosureChange,
    DisclosureSaved,
    DoNotInvolveEntry,
    DoNotInvolveIn,
    DoNotInvolveList,
    DoNotInvolveRemoved,
)
from planner.domain.privacy import listed_key
from planner.store import do_not_involve
from planner.store.do_not_involve import Entry

LIST = "/v1/participants/me/do-not-involve"


@put("/v1/plans/{plan_id:str}/supports/{contact_id:str}/disclosure", tags=["supports"])
async def set_my_disclosure(
    partner: PartnerDep, contact_id: FromPath[UUID], data: JSONBody[DisclosureChange]
) -> Response[DisclosureSaved]:
    """Your own choice about a contact: whether they may be alerted when you ask for help,
    and whether an alert may show your signs or note. Until you agree, nothing of yours
    reaches them. Signs or a note without the alert itself is a 422."""
    command = people_commands.set_disclosure(
        partner.participant_id, ContactId(contact_id), data, now()
    )
    saved = versioned(
        DisclosureSaved,
        contact_id=contact_id,
        participant_id=partner.participant_id,
        alert=command.choice.alert,
        share_signs=command.choice.share_signs,
        share_note=command.choice.share_note,
    )
    return await partner.run(command, saved)


def entry_out(entry: Entry) -> DoNotInvolveEntry:
    kind, _, address = entry.address_key.partition(":")
    return DoNotInvolveEntry(
        entry_id=entry.entry_id,
        kind=kind,
        address=address,
        reason=entry.reason,
        created_at=entry.created_at,
    )


@get(LIST, tags=["participants"])
async def my_do_not_involve(principal: PrincipalDep, pool: PoolDep) -> DoNotInvolveList:
    """Your "do not involve" list, with your reasons (only you ever read them)."""
    me = require_participant(principal)
    entries = await do_not_involve.entries(pool, me.participant_id)
    return DoNotInvolveList(entries=[entry_out(e) for e in entries])


@post(LIST, status_code=201, tags=["participants"])
async def add_do_not_involve(
    principal: PrincipalDep, pool: PoolDep, data: JSONBody[DoNotInvolveIn]
) -> DoNotInvolveEntry:
    """Someone who must never be told about you. It overrides every other setting: they are
    refused as a support contact of your plans, and never alerted when you ask for help,
    even if they were added before. Listing an address again replaces its reason."""
    me = require_participant(principal)
    key = listed_key(data.kind, data.address)
    entry = await do_not_involve.add(pool, new_id(), me.participant_id, key, data.reason.strip())
    return entry_out(entry)


@delete(LIST + "/{entry_id:str}", status_code=200, tags=["participants"])
async def remove_do_not_involve(
    principal: PrincipalDep, pool: PoolDep, entry_id: FromPath[UUID]
) -> DoNotInvolveRemoved:
    """Take someone off your list."""
    me = require_participant(principal)
    if not await do_not_involve.remove(pool, me.participant_id, entry_id):
        raise ResourceNotFound(f"entry {entry_id} is not on your list")
    return DoNotInvolveRemoved(entry_id=entry_id)
