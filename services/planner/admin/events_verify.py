"""``tandem events verify``: the store's invariants and its hash chain, on one snapshot."""

import asyncio
from typing import Annotated

import asyncpg
import typer
from rich.table import Table

from planner.admin import common, progress
from planner.runtime.stack import database_only
from planner.store import verification
from planner.store.verification import Report

SHOWN_PROBLEMS = 50


def verify(
    as_json: Annotated[bool, typer.Option("--json", help="the report as JSON on stdout")] = False,
) -> None:
    """Check versions, positions, decoding, the outbox and the hash chain; exit 1 on a problem.

    The hash chain is keyed by TANDEM_SECRET_KEY (under `make run`, the one in TANDEM_HOME):
    verify with the key the events were written with.
    """
    settings = common.settings_with_secret()
    with database_only(settings) as url:
        report = asyncio.run(_verify(url, settings.chain_key, show_progress=not as_json))
    if as_json:
        common.print_json(report)
    else:
        _print(report)
    if not report.ok:
        raise typer.Exit(code=common.EXIT_FOUND_PROBLEM)


async def _verify(url: str, key: bytes, *, show_progress: bool) -> Report:
    conn = await asyncpg.connect(url)
    try:
        total = await verification.total_events(conn)
        with progress.bar("verifying", disable=not show_progress) as bar:
            task = bar.add_task("verify", total=total)
            return await verification.verify(conn, key, lambda n: bar.advance(task, n))
    finally:
        await conn.close()


def _print(report: Report) -> None:
    out = common.console
    out.print(
        f"{report.events} events in {report.streams} streams; "
        f"{report.outbox_pending} waiting for the relay; "
        f"{report.unchained} recorded before the hash chain began"
    )
    if report.ok:
        out.print("[green]ok[/green]: every check passed")
        return
    table = Table("check", "stream", "version", "position", "problem")
    for problem in report.problems[:SHOWN_PROBLEMS]:
        table.add_row(
            problem.check,
            str(problem.stream_id or ""),
            str(problem.stream_version or ""),
            str(problem.position or ""),
            problem.detail,
        )
    out.print(table)
    more = len(report.problems) - SHOWN_PROBLEMS
    suffix = f" ({more} more: use --json)" if more > 0 else ""
    out.print(f"[red]{len(report.problems)} problem(s)[/red]{suffix}")
