"""``python -m notifier`` (or ``tandem notifier``): run the notifier until SIGINT or SIGTERM.

``python -m notifier replay …`` replays the plan history instead (see ``replay.command``),
and ``python -m notifier migrate`` applies the notifier's migrations (``ledger.migrations``).
"""

import asyncio
import os
import signal
import sys

from common import logs
from common.waiting import wait_any
from notifier.ledger import migrations
from notifier.replay import command as replay_command
from notifier.service import Notifier
from notifier.settings import SettingsError, from_env

PARENT_PID_ENV = "TANDEM_PARENT_PID"
PARENT_CHECK_SECONDS = 1.0


async def _main() -> None:
    settings = from_env()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    watch = asyncio.create_task(_stop_when_orphaned(stop))
    try:
        await Notifier(settings).run(stop)
    finally:
        watch.cancel()


async def _stop_when_orphaned(stop: asyncio.Event) -> None:
    """Stop when the process that started us (`tandem dev`) is gone, even killed with -9.

    An orphaned notifier would hold its status port and keep sending beside the next
    `tandem dev`'s own. Its parent names itself in TANDEM_PARENT_PID; once our parent
    is another process (the reaper that adopts orphans), that one has died.
    """
    parent = os.environ.get(PARENT_PID_ENV, "")
    if not parent.isdigit():
        return
    while not stop.is_set():
        if os.getppid() != int(parent):
            stop.set()
            return
        await wait_any([stop], PARENT_CHECK_SECONDS)


def main() -> None:
    if sys.argv[1:2] == ["migrate"]:
        sys.exit(migrations.main())
    if sys.argv[1:2] == ["replay"]:
        sys.exit(replay_command.main(sys.argv[2:]))
    logs.configure()
    try:
        asyncio.run(_main())
    except SettingsError as exc:
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
