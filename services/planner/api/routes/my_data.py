"""What Tandem told others about you, and everything it holds about you.

Both answer the token's own participant only; an operator's token is refused (operators
have ``tandem disclosures``). Both are read from the stores as they are now, the accounting
of disclosures from the event log.
"""

from typing import Annotated

from litestar import get
from litestar.params import QueryParameter

from planner.api.auth import require_participant
from planner.api.commands import now
from planner.api.deps import PoolDep, PrincipalDep
from planner.api.schemas import INT4_MAX
from planner.domain.my_data import Export
from planner.store import disclosure_reads, exports
from planner.store.disclosure_reads import DisclosurePage


@get("/v1/participants/me/disclosures", tags=["participants"])
async def my_disclosures(
    principal: PrincipalDep,
    pool: PoolDep,
    after: Annotated[
        int,
        QueryParameter(
            ge=0, le=INT4_MAX, description="the `position` to start after (0: the first)"
        ),
    ] = 0,
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
) -> DisclosurePage:
    """Every message that told someone else anything about you, oldest first: to whom, on
    which channel, when, which of your fields it carried (name, level, signs, note, contact
    details), under which consents (event ids), and whether it was delivered."""
    me = require_participant(principal)
    return await disclosure_reads.page(pool, me.participant_id, after, limit)


@get("/v1/participants/me/export", tags=["participants"])
async def my_export(principal: PrincipalDep, pool: PoolDep) -> Export:
    """Everything Tandem holds about you, as one JSON document: your account (tokens without
    the tokens), what of each plan is yours, your "do not involve" list with your reasons,
    every disclosure about you, and every operator read of your plans."""
    me = require_participant(principal)
    return await exports.export(pool, me.participant_id, now())
