"""Development only: the e-mails and SMS the notifier would have sent, from its dev outbox.

Served only by `tandem dev` (which sets ``Settings.dev_outbox``); production never has
this page. The file is the notifier's: one JSON object per message.
"""

import html
import re
from pathlib import Path
from typing import Any

from litestar import MediaType, get

from common.channels import dev_outbox
from planner.api.deps import SettingsDep

MAX_SHOWN = 200
_URL = re.compile(r"https?://[^\s<>&\"']+")


def read_outbox(path: Path | None) -> list[dict[str, Any]]:
    """The last ``MAX_SHOWN`` messages, newest first."""
    return dev_outbox.read(path, last=MAX_SHOWN)[::-1]


@get("/dev/outbox.json", tags=["development"], include_in_schema=False)
async def outbox_json(settings: SettingsDep) -> list[dict[str, Any]]:
    return read_outbox(settings.dev_outbox)


@get("/dev/outbox", media_type=MediaType.HTML, include_in_schema=False)
async def outbox_page(settings: SettingsDep) -> str:
    rows = "".join(_row(message) for message in read_outbox(settings.dev_outbox))
    return (
        "<!doctype html><meta charset=utf-8><title>Tandem dev outbox</title>"
        "<h1>Dev outbox</h1><p>E-mail and SMS the notifier would have sent (newest first).</p>"
        f"<table border=1 cellpadding=6><tr><th>at</th><th>channel</th><th>to</th>"
        f"<th>subject</th><th>text</th></tr>{rows}</table>"
    )


def _row(message: dict[str, Any]) -> str:
    cells = [message.get(key, "") for key in ("at", "channel", "address", "subject", "text")]
    escaped = "".join(f"<td><pre>{_linked(str(cell))}</pre></td>" for cell in cells)
    return f"<tr>{escaped}</tr>"


def _linked(text: str) -> str:
    """The text, escaped, with each link in it made a link to tap (the pages it opens)."""
    return _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', html.escape(text))
