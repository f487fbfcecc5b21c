"""The servers a command talks to: the configured URLs, or embedded ones under TANDEM_HOME.

Embedded servers that were already running (say, under `make run`) are reused and left
running; servers started here are stopped on the way out, so nothing is left behind.
"""

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import msgspec

from planner.runtime.embedded.nats_server import EmbeddedNats
from planner.runtime.embedded.postgres import EmbeddedPostgres, ensure_database
from planner.settings import Settings

DATABASE_NAME = "tandem"


class Endpoints(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str
    nats_url: str | None


@contextmanager
def database_only(settings: Settings) -> Iterator[str]:
    """The database URL in use, starting the embedded PostgreSQL when none is configured."""
    if settings.database_url:
        yield settings.database_url
        return
    server = EmbeddedPostgres(settings.home.resolve() / "postgres")
    was_running = server.is_running()
    dsn = server.start()
    try:
        yield asyncio.run(ensure_database(dsn, DATABASE_NAME))
    finally:
        if not was_running:
            server.stop()


@contextmanager
def servers(settings: Settings) -> Iterator[Endpoints]:
    """Database and NATS: configured ones, or embedded ones started (and stopped) here."""
    with ExitStack() as stack:
        database_url = stack.enter_context(database_only(settings))
        nats_url = settings.nats_url
        if not nats_url:
            nats = EmbeddedNats(settings.home.resolve() / "nats")
            nats_url = nats.running_url()  # `make run`'s, left running
            if nats_url is None:
                nats_url = nats.start()
                stack.callback(nats.stop)
        yield Endpoints(database_url=database_url, nats_url=nats_url)
