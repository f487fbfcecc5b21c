"""Reading the development outbox: the file where the notifier's dev adapter writes.

The notifier appends one JSON object a line (``notifier.channels.dev_outbox``); the planner
shows them under ``tandem dev``. A line being written (torn) or not an object is skipped,
so a reader never fails on what a writer is in the middle of.
"""

from pathlib import Path
from typing import Any

import msgspec


def read(path: Path | None, *, last: int | None = None) -> list[dict[str, Any]]:
    """The messages in the outbox at ``path``, oldest first; only the ``last`` lines if given."""
    if path is None or not path.exists():
        return []
    lines = path.read_bytes().splitlines()
    messages = []
    for line in lines if last is None else lines[-last:]:
        try:
            entry = msgspec.json.decode(line)
        except msgspec.DecodeError:
            continue
        if isinstance(entry, dict):
            messages.append(entry)
    return messages
