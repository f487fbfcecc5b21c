"""Keeping the embedded servers of `tandem dev` up: one that dies is started again.

PostgreSQL or nats-server can die under a developer's feet (an OOM kill, a `kill -9`, a
laptop's sleep gone wrong). The planner and the notifier reconnect on their own, so all
that is missing is the server itself, on the same data folder and the same address.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass

import structlog

log = structlog.stdlib.get_logger(__name__)

CHECK_SECONDS = 1.0


@dataclass(frozen=True, kw_only=True)
class Kept:
    name: str
    is_running: Callable[[], bool]
    start: Callable[[], object]


class Keeper:
    """A thread that checks each kept server every second and starts a dead one again."""

    def __init__(self, servers: list[Kept], every: float = CHECK_SECONDS) -> None:
        self.servers = servers
        self.every = every
        self.restarts: dict[str, int] = {server.name: 0 for server in servers}
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="embedded-keeper", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()

    def _watch(self) -> None:
        while not self._stopping.wait(self.every):
            for server in self.servers:
                if not self._stopping.is_set() and not server.is_running():
                    self._restart(server)

    def _restart(self, server: Kept) -> None:
        log.error("embedded.server_died", server=server.name)
        try:
            server.start()
        except (OSError, RuntimeError) as exc:
            # Still in the way (a port or shared memory not yet released): next round.
            log.warning("embedded.restart_failed", server=server.name, error=type(exc).__name__)
            return
        self.restarts[server.name] += 1
        log.info("embedded.server_restarted", server=server.name)
