"""Everything Tandem holds about one participant, gathered for ``GET /v1/participants/me/export``.

The shape is ``domain.my_data.Export``. Read from every store that holds something of
theirs in the planner's database: the account and its tokens (metadata only: tokens are
kept as hashes), the plans' events, the "do not involve" list, the operators' reads of
their plans, and the accounting of disclosures built from the event log. The notifier's
ledger keeps the words of each message sent; those messages are in ``disclosures``.
"""

from datetime import datetime
from typing import Literal, cast
from uuid import UUID

import msgspec

from contracts.vocabulary import Channel
from planner.domain.my_data import (
    Account,
    DoNotInvolve,
    Export,
    MyPlan,
    OperatorRead,
    Token,
    my_plan,
)
from planner.store import (
    disclosure_reads,
    do_not_involve,
    operator_reads,
    plan_states,
    read_models,
    tokens,
)
from planner.store.event_store import Executor

ACCOUNT = """
SELECT display_name, created_at, channels::text AS channels FROM participants
WHERE participant_id = $1
"""
_READS_PAGE = 500

_channels = msgspec.json.Decoder(list[Channel])


class UnknownParticipant(LookupError):
    """No account with this id."""


async def export(conn: Executor, participant_id: UUID, now: datetime) -> Export:
    """Everything about ``participant_id``; raises ``UnknownParticipant`` for no account."""
    row = await conn.fetchrow(ACCOUNT, participant_id)
    if row is None:
        raise UnknownParticipant(str(participant_id))
    held = await tokens.listed(conn, participant_id)
    account = Account(
        participant_id=participant_id,
        display_name=row["display_name"],
        created_at=row["created_at"],
        channels=_channels.decode(row["channels"]),
        tokens=[Token(**msgspec.structs.asdict(t)) for t in held],
    )
    plans = await _plans(conn, participant_id)
    listed = await do_not_involve.entries(conn, participant_id)
    return Export(
        exported_at=now,
        account=account,
        plans=plans,
        do_not_involve=[_entry(e) for e in listed],
        disclosures=await disclosure_reads.disclosures_of(conn, participant_id),
        operator_reads=[r for plan in plans for r in await _reads_of(conn, plan.plan_id)],
    )


async def _plans(conn: Executor, participant_id: UUID) -> list[MyPlan]:
    found = []
    for plan_id in await read_models.plans_of(conn, participant_id):
        state = await plan_states.PLANS.load(conn, plan_id)
        if state is not None:
            found.append(my_plan(state, participant_id))
    return found


def _entry(entry: do_not_involve.Entry) -> DoNotInvolve:
    kind, _, address = entry.address_key.partition(":")
    return DoNotInvolve(
        entry_id=entry.entry_id,
        kind=cast(Literal["email", "sms"], kind),
        address=address,
        reason=entry.reason,
        created_at=entry.created_at,
    )


async def _reads_of(conn: Executor, plan_id: UUID) -> list[OperatorRead]:
    """Every operator read of the plan, newest first, all pages."""
    found: list[OperatorRead] = []
    before: int | None = None
    while True:
        page = await operator_reads.page(conn, plan_id=plan_id, before=before, limit=_READS_PAGE)
        # The same fields by name, less the store's own read_id.
        found += [msgspec.convert(r, OperatorRead, from_attributes=True) for r in page.reads]
        if page.next_before is None:
            return found
        before = page.next_before
