"""The links people receive, read from the dev outbox the notifier writes (as under `make run`)."""

import re
from pathlib import Path

from common.channels import dev_outbox
from tests.support.eventually import eventually

OUTBOX_WAIT_SECONDS = 20


def _links(path: Path, address: str, subject: str, kind: str) -> list[str]:
    pattern = re.compile(rf"https?://[^\s]+/{kind}/[^\s]+")
    found = []
    for message in dev_outbox.read(path):
        if message.get("address") == address and subject in message.get("subject", ""):
            found += pattern.findall(message.get("text", ""))
    return found


async def link_in_message(path: Path, address: str, subject: str, kind: str, count: int = 1) -> str:
    """The page link of the ``count``-th message to ``address`` whose subject holds
    ``subject``, once it came; ``kind`` is the page: consent, ack or plans."""
    await eventually(
        lambda: len(_links(path, address, subject, kind)) >= count, timeout=OUTBOX_WAIT_SECONDS
    )
    return _links(path, address, subject, kind)[count - 1]
