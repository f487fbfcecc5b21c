"""Where `tandem dev` tells its notifier to serve /healthz, /readyz and /metrics."""

import contextlib
import os
import socket
import time
from collections.abc import Iterator

import pytest

from planner.runtime import notifier_process

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def decided_afresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("TANDEM_NOTIFIER_PORT", raising=False)
    notifier_process.status_url.cache_clear()
    yield
    notifier_process.status_url.cache_clear()


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def test_a_taken_default_port_moves_the_local_notifier_to_a_free_one() -> None:
    with socket.socket() as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # When something on this machine holds 8001 already, that is the same situation.
        with contextlib.suppress(OSError):
            holder.bind(("127.0.0.1", 8001))
        holder.listen()
        port = port_of(notifier_process.status_url())
    assert port != 8001
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # it was free when chosen


def test_a_configured_port_is_used_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TANDEM_NOTIFIER_PORT", "18999")
    assert notifier_process.status_url() == "http://127.0.0.1:18999"
    assert notifier_process.status_url() == "http://127.0.0.1:18999"  # decided once


def test_a_notifier_that_exits_is_started_again_until_the_stack_stops() -> None:
    # Without the service secret the notifier exits at once (code 2): a stand-in for a crash.
    env = {**os.environ, "TANDEM_SECRET_KEY": "", "TANDEM_DATABASE_URL": "", "TANDEM_NATS_URL": ""}
    supervised = notifier_process.Supervised(env)
    supervised.start()
    try:
        deadline = time.monotonic() + 30
        while supervised.restarts < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert supervised.restarts >= 2
    finally:
        supervised.stop()
    assert supervised.process.poll() is not None  # nothing left running
    restarts = supervised.restarts
    time.sleep(notifier_process.WATCH_SECONDS * 1.5)
    assert supervised.restarts == restarts  # and nothing started after the stop
