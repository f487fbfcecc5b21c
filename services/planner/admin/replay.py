"""``tandem replay``: rebuild read models from events, while the API keeps answering.

With no names every projection is rebuilt into fresh tables and swapped in (see
:mod:`planner.store.rebuild` for what is locked and when). ``--from-position N`` rebuilds
nothing: it re-applies the events from position N on onto the live tables, adding rows
that are missing and removing none, which repairs a read model after a partial loss
without any swap.
"""

import asyncio
from typing import Annotated

import asyncpg
import msgspec
import typer

from planner.admin import common, progress
from planner.runtime.stack import database_only
from planner.store import projections, rebuild
from planner.store.projections import Projection


class ReapplyResult(msgspec.Struct, frozen=True, kw_only=True):
    projections: tuple[str, ...]
    from_position: int
    events_applied: int
    seconds: float


def replay(
    names: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[PROJECTION]...",
            help=f"read models to rebuild (default: all): {', '.join(projections.REGISTRY)}",
        ),
    ] = None,
    from_position: Annotated[
        int | None,
        typer.Option(
            "--from-position",
            min=1,
            help="re-apply events from this position onto the live tables (no swap)",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="the summary as JSON on stdout")] = False,
) -> None:
    """Rebuild read models from the events: fresh tables, swapped in atomically."""
    try:
        selected = projections.select(names or [])
    except projections.UnknownProjection as exc:
        common.fail(str(exc))
    with database_only(common.settings()) as url:
        try:
            result = asyncio.run(_run(url, selected, from_position))
        except (rebuild.ReplayBusy, rebuild.SwapTimedOut) as exc:
            common.fail(str(exc), common.EXIT_FOUND_PROBLEM)
        except (OSError, asyncpg.PostgresError) as exc:
            common.fail(f"replay failed, live tables untouched: {exc}")
    if as_json:
        common.print_json(result)
    else:
        _report(result)


async def _run(
    url: str, selected: list[Projection], from_position: int | None
) -> rebuild.RebuildResult | ReapplyResult:
    conn = await asyncpg.connect(url)
    try:
        with progress.bar("replaying") as bar:
            task = bar.add_task("events", total=None)

            def advance(position: int, last: int) -> None:
                bar.update(task, completed=position, total=last)

            if from_position is None:
                return await rebuild.rebuild(conn, selected, advance)
            started = asyncio.get_running_loop().time()
            applied = await rebuild.reapply_from(conn, selected, from_position, advance)
            return ReapplyResult(
                projections=tuple(p.name for p in selected),
                from_position=from_position,
                events_applied=applied,
                seconds=round(asyncio.get_running_loop().time() - started, 3),
            )
    finally:
        await conn.close()


def _report(result: rebuild.RebuildResult | ReapplyResult) -> None:
    match result:
        case rebuild.RebuildResult():
            rate = result.last_position / result.seconds if result.seconds else 0.0
            rows = ", ".join(f"{name} {count}" for name, count in result.rows.items())
            common.console.print(
                f"rebuilt {', '.join(result.projections)} ({rows} rows) from "
                f"{result.last_position} events in {result.seconds:.1f}s: {rate:,.0f} events/s; "
                f"{result.caught_up} caught up, live tables locked {result.lock_ms} ms"
            )
        case ReapplyResult():
            common.console.print(
                f"re-applied {result.events_applied} event(s) from position "
                f"{result.from_position} onto {', '.join(result.projections)} "
                f"in {result.seconds:.1f}s"
            )
