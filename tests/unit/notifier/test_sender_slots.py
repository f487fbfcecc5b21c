"""A finished send asks for another drain only when the last one may have left claims."""

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from notifier.domain.retrying import RetrySchedule
from notifier.loops import sender as sender_module
from notifier.loops.sender import Sender

ROOM = 3


class Sends:
    """Stands in for the ledger's leases and for the sends: each is held until let go."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, free: int) -> None:
        self.free = free
        self.release = asyncio.Event()
        self.slot_freed = 0
        monkeypatch.setattr(sender_module, "MAX_IN_FLIGHT", ROOM)
        monkeypatch.setattr(sender_module.leasing, "lease", self.lease)
        monkeypatch.setattr(Sender, "deliver", self.deliver)

    async def lease(
        self, _pool: object, _seconds: float, limit: int, **_due_and_holder: object
    ) -> list[object]:
        taken = min(self.free, limit)
        self.free -= taken
        return [object() for _ in range(taken)]

    async def deliver(self, _lease: object) -> None:
        await self.release.wait()

    def sender(self) -> Sender:
        unused: Any = None
        settings: Any = SimpleNamespace(lease_seconds=30.0, retry_schedule=RetrySchedule)
        made = Sender(settings, unused, {}, unused)
        made.on_done = self.freed
        return made

    def freed(self) -> None:
        self.slot_freed += 1


async def finish_all(sender: Sender, sends: Sends) -> None:
    sends.release.set()
    await asyncio.wait(set(sender.in_flight))
    await asyncio.sleep(0)  # the done callbacks


async def test_sends_ending_after_a_drain_that_left_room_ask_for_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sends = Sends(monkeypatch, free=ROOM - 1)
    sender = sends.sender()

    assert await sender.drain() == ROOM - 1
    await finish_all(sender, sends)

    assert sends.slot_freed == 0  # every free claim was leased; new ones NOTIFY


async def test_sends_ending_after_a_drain_that_took_every_slot_ask_for_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sends = Sends(monkeypatch, free=ROOM + 2)
    sender = sends.sender()

    assert await sender.drain() == ROOM
    assert await sender.drain() == 0  # no room: still full
    await finish_all(sender, sends)

    assert sends.slot_freed == ROOM  # two claims are still waiting for a slot
