"""``python -m notifier`` (or ``tandem notifier``): run the notifier until SIGINT or SIGTERM.

``python -m notifier replay …`` replays the plan history instead (see ``replay.command``),
and ``python -m notifier migrate`` applies the notifier's migrations (``ledger.migrations``).
"""

import asyncio
import signal
import sys

from common import logs
from notifier.ledger import migrations
from notifier.replay import command as replay_command
from notifier.service import Notifier
from notifier.settings import SettingsError, from_env


async def _main() -> None:
    settings = from_env()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await Notifier(settings).run(stop)


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
