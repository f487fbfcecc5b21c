"""Append throughput: our event store against the floor, side by side in one run.

    .venv/bin/python -m bench.append [--rounds 3] [--transactions 3200]

Ours is ``planner.store.appending.append`` as its own transaction (one statement: the
events with their hash chain links and outbox rows), the relay woken after the commit by
``planner.relay.wake`` as commands wake it. Beside it, for 16 writers, ours inside a transaction,
reading the stream head first, as a command does that also writes read models or an
Idempotency-Key response (its ids are new, as a command's are). The floor
(``bench.floor_table``) is a bare asyncpg INSERT of the same row shape, hash and
transaction id included, into a table with the same unique constraints, doing no other
work. Both run on the same embedded PostgreSQL (durable
settings), in rounds that alternate which goes first; each figure is the median over the
rounds, with min and max.

Beside them, the peer: the Python ``eventsourcing`` library saving a new aggregate per
transaction (``bench.peer``, in its fastest documented configuration), on its own database
of the same server, its writers as many threads; for 10 events a transaction, one new
aggregate with 10 events saved at once.
"""

import argparse
import asyncio
import functools
import secrets
import time
from collections.abc import Awaitable, Callable

import asyncpg
import msgspec
from uuid_utils.compat import uuid7

from bench import peer
from bench.database import migrated_database
from bench.figures import Figure, alternating, figure, ratio, table
from bench.floor_table import FLOOR_TABLE, HASH_BYTES
from contracts.envelope import Metadata
from contracts.events import WarningSignAdded, encode, event_type
from contracts.ids import EventId, ParticipantId, SignId
from contracts.vocabulary import Level
from planner.relay import wake
from planner.store.appending import append
from planner.store.chain import chain_key
from planner.store.event_store import NewEvent

KEY = chain_key(b"bench-secret")
ACTOR = ParticipantId(uuid7())
METADATA = Metadata(actor=f"participant:{ACTOR}", correlation_id=uuid7())

FLOOR_INSERT = """
INSERT INTO floor_events (stream_id, stream_version, event_id, event_type, schema_version,
    payload, metadata, hash)
SELECT $1, v, e, $2, 2, $3::jsonb, $4::jsonb, h
FROM unnest($5::int[], $6::uuid[], $7::bytea[]) AS n(v, e, h)
"""
LINK = secrets.token_bytes(HASH_BYTES)

Writer = Callable[[asyncpg.Pool, int], Awaitable[None]]


def sign() -> WarningSignAdded:
    return WarningSignAdded(
        sign_id=SignId(uuid7()),
        owner_id=ACTOR,
        category="sleep",
        description="Up past 3am several nights running",
        level=Level.WATCH,
    )


async def ours(pool: asyncpg.Pool, per_transaction: int) -> None:
    """``per_transaction`` events to a new stream, one statement, the relay woken after."""
    batch = [NewEvent(event_id=EventId(uuid7()), event=sign()) for _ in range(per_transaction)]
    async with pool.acquire() as conn:
        await append(conn, uuid7(), batch, "no_stream", METADATA, chain_key=KEY, notify=False)
    wake.after_commit(pool)


async def ours_in_transaction(pool: asyncpg.Pool, per_transaction: int) -> None:
    """The same, inside a transaction as commands append (their reads left out)."""
    batch = [NewEvent(event_id=EventId(uuid7()), event=sign()) for _ in range(per_transaction)]
    async with pool.acquire() as conn, conn.transaction():
        await append(
            conn,
            uuid7(),
            batch,
            "no_stream",
            METADATA,
            chain_key=KEY,
            notify=False,
            may_be_stored=False,
        )
    wake.after_commit(pool)


async def floor(pool: asyncpg.Pool, per_transaction: int) -> None:
    """The same rows, bare: one INSERT in its own transaction."""
    events = [sign() for _ in range(per_transaction)]
    payload = encode(events[0]).decode()
    metadata = msgspec.json.encode(METADATA).decode()
    versions = list(range(1, per_transaction + 1))
    ids = [uuid7() for _ in events]
    links = [LINK] * len(events)
    async with pool.acquire() as conn:
        await conn.execute(
            FLOOR_INSERT, uuid7(), event_type(events[0]), payload, metadata, versions, ids, links
        )


async def rate(pool: asyncpg.Pool, write: Writer, writers: int, total: int, per_tx: int) -> float:
    """Events per second with ``writers`` concurrent writers doing ``total`` transactions."""
    each = total // writers

    async def writer() -> None:
        for _ in range(each):
            await write(pool, per_tx)

    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(writers)))
    await wake.settled(pool)  # the last NOTIFY is part of the work
    return each * writers * per_tx / (time.perf_counter() - started)


async def measure(dsn: str, rounds: int, transactions: int) -> list[Figure]:
    cases = [("1 writer, 1 event/tx", 1, 1), ("16 writers, 1 event/tx", 16, 1)]
    cases.append(("16 writers, 10 events/tx", 16, 10))
    figures: list[Figure] = []
    async with (
        asyncpg.create_pool(dsn, min_size=16, max_size=16) as pool,
        peer.application(peer.Signs, dsn, 16) as signs,
    ):
        await pool.execute(FLOOR_TABLE)
        for label, writers, per_tx in cases:
            count = transactions if writers > 1 else transactions // 4
            sides: dict[str, Writer] = {"ours": ours, "floor": floor}
            if (writers, per_tx) == (16, 1):
                sides["ours in a transaction"] = ours_in_transaction
            results = await alternating(
                rounds,
                {
                    **{
                        name: functools.partial(rate, pool, write, writers, count, per_tx)
                        for name, write in sides.items()
                    },
                    "peer": functools.partial(
                        asyncio.to_thread, peer.append_rate, signs, writers, count, per_tx
                    ),
                },
            )
            figures += [figure(f"append {label}: {n}", "events/s", v) for n, v in results.items()]
            for name in results.keys() - {"floor", "peer"}:
                figures.append(
                    ratio(f"append {label}: {name}/floor", results[name], results["floor"])
                )
            figures.append(ratio(f"append {label}: ours/peer", results["ours"], results["peer"]))
    return figures


async def main_async(rounds: int, transactions: int) -> list[Figure]:
    async with migrated_database("bench") as url:
        return await measure(url, rounds, transactions)


ROUNDS = 3  # like every other part; five kept `make bench` past 15 minutes on a slow day


async def collect(rounds: int = ROUNDS, transactions: int = 3200) -> list[Figure]:
    """The append figures (ours, floor, peer and their ratios) from one server."""
    return await main_async(rounds, transactions)


async def suite_part(quick: bool) -> list[Figure]:
    """This part of `make bench` (``bench.suite``)."""
    return await collect(2, 800) if quick else await collect()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--transactions", type=int, default=3200, help="per case and round")
    args = parser.parse_args(argv)
    figures = asyncio.run(main_async(args.rounds, args.transactions))
    print(table(figures))
    print(msgspec.json.encode(figures).decode())


if __name__ == "__main__":
    main()
