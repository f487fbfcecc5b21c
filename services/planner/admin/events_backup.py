"""``tandem events export`` and ``tandem events import``: a backup that round-trips.

    tandem events export --keys keys.ndjson > backup.ndjson
    tandem events import --keys keys.ndjson backup.ndjson   # into an empty store

Export → import → export gives the same bytes. See planner.store.backup for the format.
"""

import asyncio
import sys
from pathlib import Path
from typing import Annotated, BinaryIO
from uuid import UUID

import asyncpg
import typer

from planner.admin import common, progress
from planner.runtime.stack import database_only
from planner.store import backup, key_backup, migrations
from planner.store.backup import ImportError_, Span

KEYS_HELP = (
    "the data keys file that goes with the export (personal fields are sealed: restored "
    "without their keys they read as erased)"
)


def export(
    from_position: Annotated[int, typer.Option(min=1, help="first position")] = 1,
    to_position: Annotated[int | None, typer.Option(min=1, help="last position")] = None,
    plan: Annotated[
        UUID | None,
        typer.Option(help="only this plan's events (with its activations' delivery reports)"),
    ] = None,
    upcast: Annotated[
        bool,
        typer.Option(help="payloads in their current shape: for reading, not for backups"),
    ] = False,
    keys: Annotated[Path | None, typer.Option(help=KEYS_HELP)] = None,
) -> None:
    """Write events as NDJSON on stdout, in position order, from one consistent snapshot."""
    span = Span(from_position=from_position, to_position=to_position, plan_id=plan, upcast=upcast)
    with database_only(common.settings()) as url:
        written, key_lines = asyncio.run(_export(url, span, sys.stdout.buffer, keys is not None))
    if keys is not None:
        keys.write_bytes(b"".join(key_lines))
    common.console.print(f"exported {written} events")


async def _export(url: str, span: Span, out: BinaryIO, with_keys: bool) -> tuple[int, list[bytes]]:
    """The events written to ``out``, and the lines of their keys file (``with_keys``)."""
    conn = await asyncpg.connect(url)
    written = 0
    sealed_for: set[UUID] | None = set() if with_keys else None
    key_lines: list[bytes] = []
    try:
        with progress.bar("exporting") as bar:
            task = bar.add_task("export", total=await backup.count(conn, span))
            async for lines in backup.export_lines(conn, span, sealed_for):
                out.writelines(lines)
                written += len(lines)
                bar.advance(task, len(lines))
        out.flush()
        if sealed_for is not None:
            key_lines = await key_backup.export_keys(conn, sealed_for)
    finally:
        await conn.close()
    return written, key_lines


def import_(
    source: Annotated[
        Path | None, typer.Argument(help="the NDJSON file (standard input when omitted)")
    ] = None,
    keys: Annotated[Path | None, typer.Option(help=KEYS_HELP)] = None,
) -> None:
    """Load an export into an empty store, all or nothing; its events count as published."""
    with source.open("rb") if source else sys.stdin.buffer as stream:
        lines = stream.readlines()
    try:
        events = backup.parse(lines)
        data_keys = key_backup.parse_keys(keys.read_bytes().splitlines()) if keys else []
    except (ImportError_, key_backup.KeyFileError) as exc:
        common.fail(f"nothing imported: {exc}", code=common.EXIT_FOUND_PROBLEM)
    with database_only(common.settings()) as url:
        try:
            asyncio.run(_import(url, events, data_keys))
        except ImportError_ as exc:
            common.fail(f"nothing imported: {exc}", code=common.EXIT_FOUND_PROBLEM)
    common.console.print(f"imported {len(events)} events; run `tandem events verify` next")


async def _import(
    url: str, events: list[backup.Restored], data_keys: list[key_backup.KeyLine]
) -> None:
    conn = await asyncpg.connect(url)
    try:
        await migrations.migrate(conn)
        with progress.bar("importing") as bar:
            task = bar.add_task("import", total=len(events))
            advance = lambda n: bar.advance(task, n)  # noqa: E731
            await backup.import_events(conn, events, advance, data_keys)
    finally:
        await conn.close()
