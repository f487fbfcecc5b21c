"""Where `tandem dev` tells its notifier to serve /healthz, /readyz and /metrics."""

import contextlib
import socket
from collections.abc import Iterator

import pytest

from planner import notifier_process

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
