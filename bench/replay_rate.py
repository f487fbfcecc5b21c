"""Replay rate: `tandem replay` over 1,000,000 stored events, beside its floor and the peer.

    .venv/bin/python -m bench.replay_rate [--events 1000000] [--rounds 3] [--quick]

One embedded PostgreSQL (durable settings, as shipped) holds both stores: ours, filled by
COPY with plans of 24 events (``bench.replay_store``), and the peer's, the ``eventsourcing``
library's table in its own database holding the same plans (``bench.peer``). Filling is
not measured. Then, in rounds that alternate the order:

- ours: ``planner.store.rebuild.rebuild`` of every read model, as `tandem replay` runs it.
  It reads only the event types its projections follow (3 of the 24 events of a plan,
  one row in eight), so the rate is stored events per second: events in the store
  divided by the seconds the rebuild takes.
- floor: the same rows (the same position paging and event-type filter) read with
  asyncpg in pages of the same size, only position and payload, each payload decoded by
  msgspec into its contract Struct; no other work. Also stored events per second.
- floor, all rows: the same over every row, without the filter (rows per second), to
  show what reading and decoding the whole store costs.
- peer: the library replaying its notification log into its aggregates in memory: read
  in pages of the same size, decode each notification with the application's mapper,
  apply it (``mutate``) to the aggregate in a dict. Every event is replayed, so this is
  events replayed per second.

Ratios are taken round by round (``bench.figures``).
"""

import argparse
import asyncio
import functools
import sys
import time

import asyncpg
import msgspec

from bench import peer, replay_store
from bench.database import migrated_database
from bench.figures import Figure, alternating, figure, ratio, table
from contracts.events import decoder
from planner.store import projections, rebuild

QUICK = (100_000, 2)  # events, rounds
FLOOR_PAGE = """
SELECT position, payload::text AS payload FROM events
WHERE position > $1 AND event_type = ANY($2::text[])
ORDER BY position LIMIT $3
"""
FLOOR_PAGE_ALL = """
SELECT position, payload::text AS payload FROM events
WHERE position > $1
ORDER BY position LIMIT $2
"""


async def ours(conn: asyncpg.Connection, count: int, page_size: int) -> float:
    """Stored events per second through a rebuild of every read model."""
    started = time.perf_counter()
    await rebuild.rebuild(conn, projections.select([]), lambda _done, _last: None, page_size)
    return count / (time.perf_counter() - started)


async def floor(conn: asyncpg.Connection, count: int, page_size: int) -> float:
    """Stored events per second reading and decoding the rows our rebuild reads."""
    types = sorted(set().union(*(p.event_types for p in projections.select([]))))
    started = time.perf_counter()
    after = 0
    while page := await conn.fetch(FLOOR_PAGE, after, types, page_size):
        for row in page:
            decoder.decode(row["payload"])
        after = page[-1]["position"]
    return count / (time.perf_counter() - started)


async def floor_all_rows(conn: asyncpg.Connection, page_size: int) -> float:
    """Rows per second reading and decoding every stored event."""
    started = time.perf_counter()
    after, rows = 0, 0
    while page := await conn.fetch(FLOOR_PAGE_ALL, after, page_size):
        for row in page:
            decoder.decode(row["payload"])
        rows += len(page)
        after = page[-1]["position"]
    return rows / (time.perf_counter() - started)


async def measure(count: int, rounds: int, page_size: int) -> list[Figure]:
    async with (
        migrated_database("tandem_bench") as url,
        peer.application(peer.Plans, url, 1) as plans,
    ):
        conn = await asyncpg.connect(url)
        try:
            started = time.perf_counter()
            # Side by side: ours is mostly the server's work, the peer's mostly Python's.
            await asyncio.gather(
                replay_store.fill(conn, count), asyncio.to_thread(peer.fill, plans, count)
            )
            seconds = time.perf_counter() - started
            print(f"filled both stores with {count:,} events in {seconds:.1f}s", file=sys.stderr)
            results = await alternating(
                rounds,
                {
                    "ours": functools.partial(ours, conn, count, page_size),
                    "floor": functools.partial(floor, conn, count, page_size),
                    "floor, all rows": functools.partial(floor_all_rows, conn, page_size),
                    "peer": functools.partial(
                        asyncio.to_thread, peer.replay_rate, plans, page_size
                    ),
                },
            )
        finally:
            await conn.close()
    figures = [figure(f"replay: {name}", "events/s", v, 0) for name, v in results.items()]
    figures.append(ratio("replay: ours/floor", results["ours"], results["floor"]))
    figures.append(ratio("replay: ours/peer", results["ours"], results["peer"]))
    return figures


async def collect(
    events: int = 1_000_000, rounds: int = 3, page_size: int = rebuild.PAGE_SIZE
) -> list[Figure]:
    """The replay figures; the defaults take about four minutes on two cores."""
    return await measure(events, rounds, page_size)


async def suite_part(quick: bool) -> list[Figure]:
    """This part of `make bench` (``bench.suite``)."""
    return await collect(*QUICK) if quick else await collect()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--page-size", type=int, default=rebuild.PAGE_SIZE)
    parser.add_argument(
        "--quick", action="store_true", help="100,000 events, 2 rounds (for development)"
    )
    args = parser.parse_args(argv)
    events, rounds = QUICK if args.quick else (args.events, args.rounds)
    figures = asyncio.run(collect(events, rounds, args.page_size))
    print(table(figures))
    print(msgspec.json.encode(figures).decode())


if __name__ == "__main__":
    main()
