"""``tandem erase --participant ID`` | ``--contact ID``: erase a person, for an operator.

The same erasure as ``DELETE /v1/participants/me`` (a participant) or a partner's "erase"
(a support contact): the erasure event on the plans, the read models' rows, the data key;
then the tables touched are compacted. Refused while a request for help is open on one of
the person's plans. Nothing of the person is printed: ids and counts only.
"""

import asyncio
from typing import Annotated
from uuid import UUID

import asyncpg
import typer

from contracts.ids import ContactId, ParticipantId
from planner.admin import common
from planner.domain.errors import DomainError
from planner.erasure import running
from planner.erasure.remnants import UnknownPerson
from planner.relay import wake
from planner.runtime.stack import database_only
from planner.store import pool as pool_factory

ACTOR = "operator:cli"


def erase(
    participant: Annotated[
        UUID | None, typer.Option(help="a participant's id: their account and plans' data")
    ] = None,
    contact: Annotated[UUID | None, typer.Option(help="a support contact's id")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="do not ask for confirmation")] = False,
) -> None:
    """Erase a participant or a support contact, for good."""
    if (participant is None) == (contact is None):
        common.fail("name one person: --participant ID or --contact ID")
    who = f"participant {participant}" if participant else f"support contact {contact}"
    if not yes and not typer.confirm(f"erase {who} for good? This cannot be undone"):
        common.fail("nothing erased", common.EXIT_FOUND_PROBLEM)
    settings = common.settings_with_secret()
    with database_only(settings) as url:
        try:
            erased = asyncio.run(_erase(url, settings.chain_key, participant, contact))
        except (UnknownPerson, DomainError) as exc:
            common.fail(f"{who} not erased: {exc}", common.EXIT_FOUND_PROBLEM)
        except (OSError, asyncpg.PostgresError) as exc:
            common.fail(f"cannot erase: {exc}")
    plans = ", ".join(str(p) for p in erased.plan_ids) or "no plan (erased there already)"
    common.console.print(f"erased {who}; recorded on: {plans}", soft_wrap=True)
    if erased.skipped:
        common.console.print(
            "PostgreSQL did not allow: " + ", ".join(erased.skipped) + "; the rows are "
            "deleted, their remnants go with later vacuums and checkpoints (docs/privacy.md)",
            soft_wrap=True,
        )


async def _erase(
    url: str, chain_key: bytes, participant: UUID | None, contact: UUID | None
) -> running.Erased:
    async with pool_factory.create(url) as pool:
        try:
            if participant is not None:
                return await running.erase_participant(
                    pool,
                    ParticipantId(participant),
                    by="operator",
                    actor=ACTOR,
                    chain_key=chain_key,
                )
            if contact is not None:
                return await running.erase_contact(
                    pool, ContactId(contact), by="operator", actor=ACTOR, chain_key=chain_key
                )
            raise ValueError("no person named")
        finally:
            await wake.settled(pool)
