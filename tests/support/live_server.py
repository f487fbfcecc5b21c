"""The planner served by uvicorn on a free loopback port, in a thread with its own event loop.

For clients that speak real HTTP (schemathesis' requests session)::

    with serving(create_app(settings)) as base_url:
        ...

The app runs its lifespan (its own pool) on the server's loop; leaving the block stops the
server and waits for its shutdown.
"""

import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 30.0


def loopback_listener() -> socket.socket:
    """A socket bound to a free loopback port: its URL is known before the app is made."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    return listener


@contextmanager
def serving(
    app: Callable[..., Awaitable[None]], listener: socket.socket | None = None
) -> Iterator[str]:
    """Serve ``app`` until the block ends; yields its base URL (``http://127.0.0.1:PORT``)."""
    listener = listener or loopback_listener()
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        app, access_log=False, log_level="warning", log_config=None, lifespan="on", ws="none"
    )
    server = uvicorn.Server(config)
    failure: list[BaseException] = []
    thread = threading.Thread(
        target=_run, args=(server, listener, failure), name="live-planner", daemon=True
    )
    thread.start()
    try:
        _wait_started(server, thread, failure)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(STOP_TIMEOUT_SECONDS)
        listener.close()
    if failure:
        raise failure[0]


def _run(server: uvicorn.Server, listener: socket.socket, failure: list[BaseException]) -> None:
    try:
        server.run(sockets=[listener])
    except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
        failure.append(exc)


def _wait_started(server: uvicorn.Server, thread: threading.Thread, failure: list[Any]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not server.started:
        if failure or not thread.is_alive():
            raise RuntimeError("the live planner did not start") from (failure or [None])[0]
        if time.monotonic() > deadline:
            raise TimeoutError("the live planner did not start in time")
        time.sleep(0.01)
