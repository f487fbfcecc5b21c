"""Which of the worker's loops a NOTIFY, or a finished send, wakes."""

from types import SimpleNamespace
from typing import Any

import pytest

from notifier.ledger.sessions import WAKE_REPORT, WAKE_SEND, WAKE_TIMER
from notifier.loops.worker import Worker


def worker() -> tuple[Worker, Any]:
    sender: Any = SimpleNamespace(on_done=None)
    unused: Any = None
    return Worker(unused, sender, unused, unused), sender


@pytest.mark.parametrize(
    ("payload", "sends", "chores"),
    [
        (WAKE_SEND, True, False),
        (WAKE_REPORT, False, True),
        (WAKE_TIMER, False, True),
        ("", True, True),  # a NOTIFY that does not say: both look
    ],
)
def test_a_notify_wakes_the_loop_it_names(payload: str, *, sends: bool, chores: bool) -> None:
    found, _ = worker()

    found.heard(payload)

    assert (found.sends.is_set(), found.chores.is_set()) == (sends, chores)


def test_a_finished_send_wakes_the_sending_loop() -> None:
    found, sender = worker()

    sender.on_done()

    assert (found.sends.is_set(), found.chores.is_set()) == (True, False)
