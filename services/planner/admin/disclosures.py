"""``tandem disclosures --participant ID``: what Tandem told others about one participant.

The same accounting a participant reads at ``GET /v1/participants/me/disclosures``, built
from the event log, oldest first: to whom, on which channel, when, which fields, under
which consents, and whether it was delivered.
"""

import asyncio
from typing import Annotated
from uuid import UUID

import asyncpg
import typer
from rich.console import Console

from planner.admin import common
from planner.domain.disclosures import Disclosure
from planner.runtime.stack import database_only
from planner.store import disclosure_reads, read_models

out = Console(highlight=False, markup=False, soft_wrap=True)  # stdout: names are people's


def disclosures(
    participant: Annotated[UUID, typer.Option(help="the participant's id")],
    as_json: Annotated[bool, typer.Option("--json", help="one JSON document on stdout")] = False,
) -> None:
    """List every message that told someone else anything about a participant."""
    with database_only(common.settings()) as url:
        try:
            found = asyncio.run(_read(url, participant))
        except (OSError, asyncpg.PostgresError) as exc:
            common.fail(f"cannot read the disclosures: {exc}")
    if found is None:
        common.fail(f"no participant {participant} is a partner of any plan", 1)
    if as_json:
        common.print_json(found)
        return
    if not found:
        common.console.print("nothing about this participant was sent to anyone")
    for row in found:
        out.print(line(row))


def line(row: Disclosure) -> str:
    consents = ", ".join(f"{c.type} {c.event_id}" for c in row.consents) or "none recorded"
    return (
        f"{row.at.isoformat()}  {row.message.value} to {row.to.kind.value} "
        f"{row.to.display_name!r} ({row.to.recipient_id}) by {row.channel.value}: "
        f"{', '.join(f.value for f in row.fields)}; {row.status.value}; under {consents}"
    )


async def _read(url: str, participant_id: UUID) -> list[Disclosure] | None:
    conn = await asyncpg.connect(url)
    try:
        if not await read_models.plans_of(conn, participant_id):
            return None
        return await disclosure_reads.disclosures_of(conn, participant_id)
    finally:
        await conn.close()
