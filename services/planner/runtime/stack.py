"""The servers a command talks to: the configured URLs, or embedded ones under TANDEM_HOME.

Embedded servers that were already running (say, under `make run`) are reused and left
running; servers started here are stopped on the way out, so nothing is left behind.
"""

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import msgspec

from planner.runtime.embedded.keeper import Keeper, Kept
from planner.runtime.embedded.nats_server import EmbeddedNats
from planner.runtime.embedded.postgres import EmbeddedPostgres, ensure_database
from planner.settings import Settings

DATABASE_NAME = "tandem"


POSTGRES = "PostgreSQL"
NATS = "nats-server"


class Endpoints(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str
    nats_url: str | None
    embedded: tuple[str, ...] = ()  # the servers that are ours, not configured URLs
    started: tuple[str, ...] = ()  # the embedded ones started here, stopped on the way out


@contextmanager
def database_only(
    settings: Settings, kept: list[Kept] | None = None, started: list[str] | None = None
) -> Iterator[str]:
    """The database URL in use, starting the embedded PostgreSQL when none is configured.

    An embedded server is added to ``kept``, when given, to be started again if it dies;
    one started here (not found running) is named in ``started``, when given.
    """
    if settings.database_url:
        yield settings.database_url
        return
    server = EmbeddedPostgres(settings.home.resolve() / "postgres")
    was_running = server.is_running()
    dsn = server.start()
    if started is not None and not was_running:
        started.append(POSTGRES)
    if kept is not None:
        kept.append(Kept(name="postgres", is_running=server.is_running, start=server.start))
    try:
        yield asyncio.run(ensure_database(dsn, DATABASE_NAME))
    finally:
        if not was_running:
            server.stop()


@contextmanager
def servers(settings: Settings, *, keep_alive: bool = False) -> Iterator[Endpoints]:
    """Database and NATS: configured ones, or embedded ones started (and stopped) here.

    With ``keep_alive`` (`tandem dev`), an embedded server that dies is started again.
    """
    kept: list[Kept] = []
    started: list[str] = []
    with ExitStack() as stack:
        database_url = stack.enter_context(database_only(settings, kept, started))
        nats_url = settings.nats_url
        if not nats_url:
            nats_url = _embedded_nats(settings, stack, kept, started)
        if keep_alive and kept:
            keeper = Keeper(kept)
            keeper.start()
            stack.callback(keeper.stop)  # before the servers stop: callbacks run last first
        embedded = [POSTGRES] * (not settings.database_url) + [NATS] * (not settings.nats_url)
        yield Endpoints(
            database_url=database_url,
            nats_url=nats_url,
            embedded=tuple(embedded),
            started=tuple(started),
        )


def _embedded_nats(
    settings: Settings, stack: ExitStack, kept: list[Kept], started: list[str]
) -> str:
    nats = EmbeddedNats(settings.home.resolve() / "nats")
    url = nats.running_url()  # `make run`'s, left running
    if url is None:
        url = nats.start()
        stack.callback(nats.stop)
        started.append(NATS)
    # Started again on the same port: the planner and the notifier were given this URL.
    nats.port = int(url.rsplit(":", 1)[1])
    kept.append(Kept(name="nats", is_running=lambda: nats.running_url() == url, start=nats.start))
    return url
