"""The dev outbox page exists only under `tandem dev`, and shows what would have been sent."""

from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from planner.api.app import create_app
from planner.runtime.dev import AlreadyRunning, only_one_dev
from planner.settings import Settings

pytestmark = pytest.mark.integration


async def test_without_tandem_dev_there_is_no_outbox_page(client: AsyncTestClient[Any]) -> None:
    assert (await client.get("/dev/outbox")).status_code == 404


async def test_the_outbox_page_lists_messages_newest_first_and_escapes_them(
    settings: Settings, tmp_path: Path
) -> None:
    outbox = tmp_path / "dev-outbox.jsonl"
    lines = [
        {
            "at": "1",
            "channel": "email",
            "address": "jo@example.org",
            "subject": "first",
            "text": "a",
        },
        {"at": "2", "channel": "sms", "address": "+1555", "subject": "<b>second</b>", "text": "b"},
    ]
    outbox.write_bytes(b"".join(msgspec.json.encode(line) + b"\n" for line in lines) + b"{torn")
    app = create_app(msgspec.structs.replace(settings, dev_outbox=outbox))
    async with AsyncTestClient(app=app) as client:
        listed = (await client.get("/dev/outbox.json")).json()
        page = (await client.get("/dev/outbox")).text
    assert [m["subject"] for m in listed] == ["<b>second</b>", "first"]
    assert "&lt;b&gt;second&lt;/b&gt;" in page
    assert "<b>second</b>" not in page


def test_a_second_tandem_dev_on_the_same_folder_is_refused(tmp_path: Path) -> None:
    with only_one_dev(tmp_path), pytest.raises(AlreadyRunning), only_one_dev(tmp_path):
        pass
