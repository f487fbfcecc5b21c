"""The worker: two loops over the ledger, each woken by its own NOTIFY.

- **Sending** leases the claims that are free and due and starts sending them. It is woken
  by new claims (NOTIFY ``send``), after a drain that took every slot by each send of its
  own finishing, and by each round that failed for now; otherwise it sleeps until the
  earliest next round is due, and looks at least every ``SAFETY_NET_SECONDS`` for claims
  whose lease lapsed (or whose holder is gone: see ``ledger.presence``).
- **Chores** fire due timers and report finished deliveries and escalations to the
  planner. It is woken by new timers (``timer``) and finished sends (``report``), and
  otherwise sleeps until the next timer is due.

Kept apart, a new alert never waits while reports are published or timers looked for: it
is leased in one round trip from the NOTIFY that announced it.

One session LISTENs for both, and holds this notifier's lease holder lock while it lives.
While it is down, both loops poll every ``DATABASE_RETRY_SECONDS``; when it is back, both
look at once for what they missed.

No error ends a loop: each step that raises (a lost session, a NATS outage, a bug) is
logged by its error's type, the loop backs off (``common.waiting.Guard``, which also tells
``/readyz``) and goes on; the ledger keeps the work meanwhile. A report that cannot be
published backs off on its own, so timers still fire while NATS is away.
"""

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import asyncpg
import nats.errors
import structlog

from common.waiting import Faults, Guard, wait_any
from notifier.ledger import chores, leasing, presence
from notifier.ledger.sessions import DATABASE_ERRORS, SESSION_SETTINGS, WAKE_SEND, WORK_CHANNEL
from notifier.loops.escalator import Escalator
from notifier.loops.reporter import Reporter
from notifier.loops.sender import Sender

log = structlog.stdlib.get_logger("notifier.worker")

SAFETY_NET_SECONDS = 5.0  # the longest either loop sleeps without a NOTIFY
BUSY_TIMER_SECONDS = 0.05  # the least the chores loop sleeps when it did nothing
DATABASE_RETRY_SECONDS = 1.0  # how often the loops poll while nobody LISTENs
REPORT_ERRORS = (nats.errors.Error, *DATABASE_ERRORS)  # NATS away, or the ledger


class Worker:
    def __init__(
        self,
        pool: asyncpg.Pool,
        sender: Sender,
        escalator: Escalator,
        reporter: Reporter,
        faults: Faults | None = None,
    ) -> None:
        self.pool = pool
        self.sender = sender
        self.escalator = escalator
        self.reporter = reporter
        self.sends = asyncio.Event()
        self.chores = asyncio.Event()
        self.listening = False
        self._next_orphan_check = 0.0  # time.monotonic() of the next look for dead holders
        self.faults = faults
        self._reporting = Guard(
            "reporter", log, expected=REPORT_ERRORS, faults=faults, event="reporter.deferred"
        )
        self._report_again_at = 0.0  # time.monotonic() before which a failed report waits
        sender.on_done = self.sends.set  # a free slot may take a claim that waited

    async def run(self, dsn: str, stop: asyncio.Event) -> None:
        async with asyncio.TaskGroup() as group:
            group.create_task(self._listen(dsn, stop))
            group.create_task(self._loop("sending", stop, self.sends, self._send))
            group.create_task(self._loop("chores", stop, self.chores, self._do_chores))

    def heard(self, payload: str) -> None:
        """A NOTIFY on the work channel: wake the loop it is for (both if it does not say)."""
        if payload != WAKE_SEND:
            self.chores.set()
        if payload in {WAKE_SEND, ""}:
            self.sends.set()

    async def _loop(
        self,
        name: str,
        stop: asyncio.Event,
        wake: asyncio.Event,
        step: Callable[[], Awaitable[float]],
    ) -> None:
        guard = Guard(
            name, log, expected=DATABASE_ERRORS, faults=self.faults, event="worker.loop_failed"
        )
        while not stop.is_set():
            wake.clear()
            try:
                sleep = await step()
            except Exception as exc:  # noqa: BLE001 - the ledger keeps the work: pause, go on
                # Not woken early: a NOTIFY per new claim must not turn the pause into a spin.
                await wait_any([stop], self._polling(guard.failed(exc)))
                continue
            guard.succeeded()
            sleep = self._polling(sleep)
            if sleep > 0:
                await wait_any([stop, wake], sleep)

    def _polling(self, sleep: float) -> float:
        """``sleep``, but no longer than a poll while no NOTIFY can wake the loop."""
        return sleep if self.listening else min(sleep, DATABASE_RETRY_SECONDS)

    async def _send(self) -> float:
        """Lease what is free and due and start sending it; how long to sleep."""
        await self._take_over_orphans()
        await self.sender.drain()
        now = datetime.now(UTC)
        next_due = await leasing.next_due(self.pool, now)
        # A full drain wakes us again as each send finishes and frees its slot.
        if next_due is None:
            return SAFETY_NET_SECONDS
        return max(BUSY_TIMER_SECONDS, min(SAFETY_NET_SECONDS, (next_due - now).total_seconds()))

    async def _take_over_orphans(self) -> None:
        """Free the leases of notifiers that are gone, at most every safety net, so a
        notifier started after a crash (or a replica outliving one) sends them at once."""
        holder = self.sender.holder
        if holder is None or time.monotonic() < self._next_orphan_check:
            return
        self._next_orphan_check = time.monotonic() + SAFETY_NET_SECONDS
        released = await presence.release_orphaned(self.pool, holder)
        if released:
            log.info("worker.leases_taken_over", count=released)

    async def _do_chores(self) -> float:
        """Fire due timers and report what finished; how long to sleep (0: look again)."""
        now = datetime.now(UTC)
        found = await chores.probe(self.pool, now)
        done = await self.escalator.fire_due() if found.timers_due else 0
        waits = [SAFETY_NET_SECONDS]
        if found.unreported:
            done += await self._report()
            if (deferred := self._report_again_at - time.monotonic()) > 0:
                waits.append(deferred)  # look again when the reporter's back-off ends
        if done:
            return 0.0  # firing a timer leaves an escalation to report
        if found.next_due is not None:
            # A timer already due that did not fire is another replica's to fire right now.
            waits.append((found.next_due - now).total_seconds())
        return max(BUSY_TIMER_SECONDS, min(waits))

    async def _report(self) -> int:
        """Publish what finished, unless a failed report is still backing off; how many."""
        if time.monotonic() < self._report_again_at:
            return 0
        try:
            reported = await self.reporter.drain()
        except Exception as exc:  # noqa: BLE001 - the ledger keeps them, timers go on
            self._report_again_at = time.monotonic() + self._reporting.failed(exc)
            return 0
        self._reporting.succeeded()
        return reported

    async def _listen(self, dsn: str, stop: asyncio.Event) -> None:
        """Keep one session LISTENing on the work channel while the worker runs."""
        guard = Guard(
            "listener",
            log,
            expected=DATABASE_ERRORS,
            faults=self.faults,
            event="worker.listen_failed",
        )
        while not stop.is_set():
            lost = asyncio.Event()
            try:
                listener = await self._connect(dsn, lost)
            except Exception as exc:  # noqa: BLE001 - the loops poll meanwhile
                await wait_any([stop], guard.failed(exc))
                continue
            guard.succeeded()
            self.listening = True
            self.heard("")  # look for what was NOTIFYed while nobody listened
            try:
                while not (stop.is_set() or lost.is_set() or listener.is_closed()):
                    await wait_any([stop, lost], SAFETY_NET_SECONDS)
            finally:
                self.listening = False
                with contextlib.suppress(*DATABASE_ERRORS):  # closed it is, gracefully or not
                    await listener.close(timeout=1.0)

    async def _connect(self, dsn: str, lost: asyncio.Event) -> asyncpg.Connection:
        """A session LISTENing on the work channel (raises while the database is away)."""
        listener = await asyncpg.connect(
            dsn, timeout=DATABASE_RETRY_SECONDS * 5, server_settings=SESSION_SETTINGS
        )
        try:
            listener.add_termination_listener(lambda _: lost.set())
            await self._hold_presence(listener)
            await listener.add_listener(WORK_CHANNEL, lambda *args: self.heard(str(args[-1])))
        except BaseException:
            listener.terminate()
            raise
        return listener

    async def _hold_presence(self, listener: asyncpg.Connection) -> None:
        """Hold this notifier's lease holder lock on the listening session (drawing the
        number on the first connection); then look for dead holders' leases at once."""
        holder = self.sender.holder
        if holder is None or not await presence.hold(listener, holder):
            # Held elsewhere only while our own earlier session lingers on the server; new
            # leases carry a new number. Once that session ends, a claim we are still
            # sending under the old number may be taken over: sent again under its id.
            holder = await presence.new_holder(listener)
            await presence.hold(listener, holder)
        self.sender.holder = holder
        self._next_orphan_check = 0.0
