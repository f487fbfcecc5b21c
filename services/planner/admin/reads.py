"""``tandem reads``: who read which plan with an operator's token, newest first."""

import asyncio
from typing import Annotated
from uuid import UUID

import asyncpg
import typer
from rich.console import Console

from planner.admin import common
from planner.runtime.stack import database_only
from planner.store import operator_reads
from planner.store.operator_reads import ReadPage

out = Console(highlight=False, markup=False, soft_wrap=True)  # stdout: labels are people's


def reads(
    plan: Annotated[UUID | None, typer.Option(help="only this plan's reads")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="how many, newest first")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON document on stdout")] = False,
) -> None:
    """List operators' reads of plans: which operator token, which plan, what, when."""
    with database_only(common.settings()) as url:
        try:
            page = asyncio.run(_read(url, plan, limit))
        except (OSError, asyncpg.PostgresError) as exc:
            common.fail(f"cannot read the operators' reads: {exc}")
    if as_json:
        common.print_json(page)
        return
    if not page.reads:
        common.console.print("no operator has read " + ("this plan" if plan else "any plan"))
    for read in page.reads:
        out.print(
            f"{read.read_at.isoformat()}  {read.operator_label} ({read.operator_id})  "
            f"plan {read.plan_id}  {read.operation}"
        )


async def _read(url: str, plan_id: UUID | None, limit: int) -> ReadPage:
    conn = await asyncpg.connect(url)
    try:
        return await operator_reads.page(conn, plan_id=plan_id, limit=limit)
    finally:
        await conn.close()
