"""``tandem events tail``: the newest events, and with ``--follow`` each one as it commits.

The follower is woken by the outbox NOTIFY (sent after each commit), never by a timer on the hot
path, and reads through :mod:`planner.store.event_feed`, so an event whose transaction
commits after a higher position was printed is still printed, once.
"""

import asyncio
import contextlib
from collections.abc import Callable
from typing import Annotated
from uuid import UUID

import asyncpg
import msgspec
import typer

from contracts.envelope import Envelope
from contracts.events import EVENT_TYPES
from planner.admin import common
from planner.runtime.stack import database_only
from planner.store import event_feed
from planner.store.event_feed import Filter
from planner.store.event_store import OUTBOX_CHANNEL

# A missed NOTIFY (a dropped connection is noticed by the next query) is caught up here.
SAFETY_NET_SECONDS = 30.0

Emit = Callable[[Envelope], None]


def tail(
    plan: Annotated[UUID | None, typer.Option("--plan", help="only this plan's events")] = None,
    event_type: Annotated[
        str | None, typer.Option("--type", help="only this event type, e.g. plan.activated")
    ] = None,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="keep printing events as they commit")
    ] = False,
    last: Annotated[int, typer.Option("--last", "-n", min=0, help="events shown first")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="NDJSON envelopes on stdout")] = False,
) -> None:
    """Print the last events (matching --plan/--type); with --follow, new ones until Ctrl-C."""
    if event_type is not None and event_type not in EVENT_TYPES:
        common.fail(f"unknown event type {event_type!r}; known: {', '.join(sorted(EVENT_TYPES))}")
    wanted = Filter(stream_id=plan, event_types=None if event_type is None else (event_type,))
    emit = _emit_json if as_json else _emit_line
    with database_only(common.settings()) as url:
        try:
            asyncio.run(run(url, wanted, last, emit, follow=follow))
        except KeyboardInterrupt:
            common.console.print("stopped")
        except (OSError, asyncpg.PostgresError) as exc:
            common.fail(f"cannot read the event store: {exc}")


async def run(
    url: str,
    wanted: Filter,
    last: int,
    emit: Emit,
    *,
    follow: bool,
    stop: asyncio.Event | None = None,
) -> None:
    """Emit the last ``last`` events; when following, every later one until ``stop``."""
    conn = await asyncpg.connect(url)
    try:
        wake = asyncio.Event()
        if follow:
            # Listen before the first read, so no commit falls between the two.
            await conn.add_listener(OUTBOX_CHANNEL, lambda *_: wake.set())
        batch = await event_feed.latest(conn, wanted, last)
        for envelope in batch.envelopes:
            emit(envelope)
        snapshot = batch.snapshot
        while follow and not (stop is not None and stop.is_set()):
            await _wait(wake, stop)
            wake.clear()  # before reading: a commit during the read wakes the next pass
            batch = await event_feed.committed_since(conn, snapshot, wanted)
            for envelope in batch.envelopes:
                emit(envelope)
            snapshot = batch.snapshot
    finally:
        await conn.close()


async def _wait(wake: asyncio.Event, stop: asyncio.Event | None) -> None:
    waiters = [asyncio.ensure_future(wake.wait())]
    if stop is not None:
        waiters.append(asyncio.ensure_future(stop.wait()))
    _, pending = await asyncio.wait(
        waiters, timeout=SAFETY_NET_SECONDS, return_when=asyncio.FIRST_COMPLETED
    )
    for waiter in pending:
        waiter.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await waiter


def line(envelope: Envelope) -> str:
    """One event for people: position, time, stream, version, type, actor."""
    at = envelope.recorded_at.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    return (
        f"{envelope.position:>9}  {at}  {envelope.stream_id}  v{envelope.stream_version:<4} "
        f"{envelope.event_type:<34} {envelope.metadata.actor}"
    )


def _emit_line(envelope: Envelope) -> None:
    typer.echo(line(envelope))


def _emit_json(envelope: Envelope) -> None:
    typer.echo(msgspec.json.encode(envelope).decode())
