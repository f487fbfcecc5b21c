"""The notifier as its own OS process (``python -m notifier``), and what it has left to do.

A test starts it with the environment it would get in production, can SIGKILL it like a
crashed host would, and shows its output when the test fails::

    process = NotifierProcess(env, tmp_path / "notifier.log")
    process.start()
    with process.output_on_failure():
        ...
        await process.kill()

Whatever happens, ``stop()`` (or the fixture that owns the process) ends it.
"""

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import nats

from contracts.subjects import PLAN_STREAM
from tests.support.database import value_of

STOP_TIMEOUT_SECONDS = 10.0
OUTPUT_TAIL_LINES = 60

UNSENT = "SELECT count(*) FROM notifier.deliveries WHERE status = 'claimed'"
ACTIVATION_STATUS = "SELECT status FROM notifier.activations WHERE activation_id = $1"


class NotifierProcess:
    """``python -m notifier`` with these TANDEM_* variables; output appended to ``log_path``."""

    def __init__(self, env: Mapping[str, str], log_path: Path) -> None:
        self.env = dict(env)
        self.log_path = log_path
        self.started = 0
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert self._process is None, "stop or kill the running notifier first"
        self.started += 1
        with self.log_path.open("ab") as log:
            log.write(f"--- notifier start #{self.started} ---\n".encode())
            log.flush()
            self._process = subprocess.Popen(
                [sys.executable, "-m", "notifier"],
                env={**os.environ, "PYTHONUNBUFFERED": "1", **self.env},
                cwd=self.log_path.parent,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def kill(self) -> int:
        """SIGKILL: no handler runs, nothing is flushed or acknowledged. The exit code."""
        process, self._process = self._process, None
        assert process is not None, "no notifier is running"
        process.kill()
        return await asyncio.to_thread(process.wait, STOP_TIMEOUT_SECONDS)

    def stop(self) -> None:
        """SIGTERM (a clean stop), then SIGKILL if it does not exit in time; idempotent."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def output(self, lines: int = OUTPUT_TAIL_LINES) -> str:
        if not self.log_path.exists():
            return "(no output)"
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    @contextlib.contextmanager
    def output_on_failure(self) -> Iterator[None]:
        """Add the tail of the notifier's output to any exception raised inside."""
        try:
            yield
        except BaseException as error:
            error.add_note(f"--- notifier output ({self.log_path}) ---\n{self.output()}")
            raise


async def events_acknowledged(nats_url: str, consumer: str = "notifier") -> bool:
    """Whether the notifier's consumer has no plan event pending or delivered but unacked."""
    connection = await nats.connect(nats_url)
    try:
        info = await connection.jetstream().consumer_info(PLAN_STREAM, consumer)
    finally:
        await connection.close()
    return bool(info.num_pending == 0 and info.num_ack_pending == 0)


async def ledger_count(db_url: str, query: str) -> int:
    count: int = await value_of(db_url, query)
    return count


async def notifier_idle(db_url: str, nats_url: str) -> bool:
    """Whether the notifier has nothing left: no event pending on its consumer, no claim unsent.

    Once this holds (and no event is added) no further message can go out.
    """
    return await events_acknowledged(nats_url) and await ledger_count(db_url, UNSENT) == 0
