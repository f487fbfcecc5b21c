"""The HTTP write floor: one asyncpg INSERT per request, behind the planner's ASGI server.

    .venv/bin/python -m bench.insert_app --port P --database-url URL --row-file ROW.json

A bare ASGI callable, no framework: uvicorn as ``tandem dev`` serves the planner (one
worker, no access log, the same HTTP and event-loop implementations), an asyncpg pool of
the planner's size, and per ``POST /floor`` exactly one INSERT of an event row (a copy of
a real ``plan.activated`` row's payload and metadata, fresh ids) into a table with the
events table's columns, defaults and unique constraints. It answers 201 with a small JSON
body. ``GET /healthz`` answers 200 with no database work; it only tells when it is up.
"""

import argparse
import asyncio
import contextlib
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import msgspec
from uuid_utils.compat import uuid7

from bench.floor_table import FLOOR_TABLE
from bench.stack import free_port
from planner.runtime.dev import serve
from planner.runtime.embedded.postgres import ensure_database
from planner.store import pool as pool_factory

if TYPE_CHECKING:
    import asyncpg

DATABASE_NAME = "bench_floor"
START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0

FLOOR_INSERT = """
INSERT INTO floor_events (stream_id, stream_version, event_id, event_type, schema_version,
    payload, metadata, hash)
VALUES ($1, 1, $2, 'plan.activated', $3, $4::jsonb, $5::jsonb, $6)
"""

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class Row(msgspec.Struct, frozen=True):
    """What each request stores besides fresh ids: a real event row's content."""

    schema_version: int
    payload: str  # JSON text
    metadata: str  # JSON text
    hash: bytes  # as long as a real link of the hash chain


class Created(msgspec.Struct, frozen=True):
    event_id: str


class InsertApp:
    def __init__(self, database_url: str, row: Row) -> None:
        self.database_url = database_url
        self.row = row
        self.pool: asyncpg.Pool | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            if scope["method"] == "POST" and scope["path"] == "/floor":
                await self._insert(receive, send)
            elif scope["path"] == "/healthz":
                await _answer(send, 200, b'{"status":"ok"}')
            else:
                await _answer(send, 404, b'{"status":"not found"}')

    async def _insert(self, receive: Receive, send: Send) -> None:
        await _read_body(receive)
        assert self.pool is not None  # noqa: S101 - set by the lifespan before any request
        event_id = uuid7()
        row = self.row
        await self.pool.execute(
            FLOOR_INSERT, uuid7(), event_id, row.schema_version, row.payload, row.metadata, row.hash
        )
        await _answer(send, 201, msgspec.json.encode(Created(str(event_id))))

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                # The planner's own pool: the same size, and no reset round trip either.
                self.pool = await pool_factory.create(self.database_url)
                await self.pool.execute(FLOOR_TABLE)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.pool is not None:
                    await self.pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _answer(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@contextlib.asynccontextmanager
async def serving(folder: Path, database_url: str, row: Row) -> AsyncIterator[int]:
    """This app in its own process on a free port, its table in a database of its own on
    the server of ``database_url``; its port, until it is stopped on exit."""
    floor_url = await ensure_database(database_url, DATABASE_NAME)
    row_file = folder / "floor-row.json"
    row_file.write_bytes(msgspec.json.encode(row))
    port = free_port()
    arguments = ["--port", str(port), "--database-url", floor_url, "--row-file", str(row_file)]
    with (folder / "insert-app.log").open("wb") as log:
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.insert_app",
            *arguments,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a Ctrl-C reaches us, and we stop it
        )
    try:
        await _until_up(f"http://127.0.0.1:{port}/healthz", child)
        yield port
    finally:
        await _stop(child)


async def _until_up(url: str, child: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    async with httpx.AsyncClient(timeout=1.0) as client:
        while time.monotonic() < deadline:
            if child.returncode is not None:
                raise RuntimeError(f"the insert app exited ({child.returncode})")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(url)).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise RuntimeError(f"the insert app did not answer in {START_TIMEOUT_SECONDS:.0f} s")


async def _stop(child: asyncio.subprocess.Process) -> None:
    if child.returncode is not None:
        return
    child.send_signal(signal.SIGINT)  # uvicorn shuts down gracefully: the pool is closed
    try:
        await asyncio.wait_for(child.wait(), STOP_TIMEOUT_SECONDS)
    except TimeoutError:
        child.kill()
        await child.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--row-file", type=Path, required=True, help="a Row as JSON")
    args = parser.parse_args(argv)
    row = msgspec.json.decode(args.row_file.read_bytes(), type=Row)
    # Served as the planner is, so both sides pay the same server costs.
    serve(InsertApp(args.database_url, row), args.host, args.port)


if __name__ == "__main__":
    main()
