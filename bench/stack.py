"""The service as `make run` serves it (`tandem dev`), in a throwaway data folder.

Started as its own process group so the embedded PostgreSQL and nats-server it starts are
stopped with it, whatever happens to the benchmark.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from planner.runtime.embedded.nats_server import EmbeddedNats
from planner.runtime.embedded.postgres import EmbeddedPostgres
from planner.runtime.stack import DATABASE_NAME
from planner.settings import Throttling

READY_TIMEOUT_SECONDS = 120.0
# The benchmarks are one client at machine speed: the rate limits would measure themselves.
UNTHROTTLED = {f"TANDEM_THROTTLE_{name.upper()}": "off" for name in Throttling.__struct_fields__}
STOP_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Service:
    base_url: str
    home: Path
    process: subprocess.Popen[bytes]


def database_url(service: Service) -> str:
    """The embedded PostgreSQL `tandem dev` serves (planner tables, notifier schema)."""
    return EmbeddedPostgres(service.home / "postgres").dsn(DATABASE_NAME)


def nats_url(service: Service) -> str:
    """The embedded nats-server `tandem dev` started."""
    url = EmbeddedNats(service.home / "nats").running_url()
    if url is None:
        raise RuntimeError(f"no nats-server under {service.home}")
    return url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextlib.contextmanager
def tandem_dev(extra_env: dict[str, str] | None = None) -> Iterator[Service]:
    """`tandem dev` on a free port with its data in a temporary folder; stopped on exit."""
    with tempfile.TemporaryDirectory(prefix="tandem-bench-") as folder:
        home = Path(folder)
        port = free_port()
        env = {
            **os.environ,
            "TANDEM_HOME": str(home),
            "TANDEM_PORT": str(port),
            "TANDEM_WEBHOOK_ALLOW_PRIVATE": "1",
            **UNTHROTTLED,
            **(extra_env or {}),
        }
        for name in ("TANDEM_DATABASE_URL", "TANDEM_NATS_URL"):
            env.pop(name, None)  # always the embedded servers: a like-for-like run
        tandem = Path(sys.executable).with_name("tandem")
        with (home / "tandem.log").open("wb") as log:
            process = subprocess.Popen(  # noqa: S603 - our own console script
                [str(tandem), "dev"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        service = Service(f"http://127.0.0.1:{port}", home, process)
        try:
            _wait_ready(service)
            yield service
        finally:
            _stop(process)


def _wait_ready(service: Service) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            raise RuntimeError(f"tandem dev exited; see {service.home / 'tandem.log'}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{service.base_url}/readyz", timeout=1.0).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"tandem dev not ready after {READY_TIMEOUT_SECONDS:.0f} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # what Ctrl-C does: it stops what it started
        try:
            process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
