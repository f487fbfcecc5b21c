"""Pages in a real browser: Debian's chromium driven by Playwright, checked by axe-core.

One browser for the session, one live stack per module: the planner served over real HTTP
by uvicorn (with its relay), and the notifier writing e-mail and SMS to a dev outbox file,
as `make run` has them. A browser cannot be downloaded here: the system's chromium is
launched, and its absence fails the tests with the way to install it (never a skip).
"""

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
import pytest
from playwright.async_api import Browser, async_playwright

from notifier.service import Notifier
from notifier.settings import NotifierSettings
from planner.api.app import create_app
from planner.runtime.embedded.nats_server import EmbeddedNats
from planner.settings import Settings
from tests.support.database import fresh_database
from tests.support.live_server import loopback_listener, serving

pytestmark = pytest.mark.integration

SECRET = b"browser-secret-key-not-for-production"
CRISIS = "Call or text 988 for the Suicide & Crisis Lifeline."
INSTALL_ADVICE = (
    "The browser tests need Debian's chromium on PATH. Install it with "
    "`sudo apt-get install -y chromium` (`make test` does it by itself when run as root)."
)
NOTIFIER_START_SECONDS = 15


class LiveStack(msgspec.Struct, kw_only=True):
    base_url: str
    outbox: Path
    db_url: str
    settings: Settings


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(INSTALL_ADVICE, pytrace=False)
    # Chromium's sandbox refuses to run as root; CI runs as root on a throw-away machine.
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable, args=args)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture(scope="module")
async def live(
    database_url: str, template_database: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[LiveStack]:
    folder = tmp_path_factory.mktemp("live")
    nats = EmbeddedNats(folder / "nats")
    nats_url = await asyncio.to_thread(nats.start)
    try:
        async with fresh_database(database_url, template_database) as db_url:
            async for stack in _stack(folder, db_url, nats_url):
                yield stack
    finally:
        await asyncio.to_thread(nats.stop)


async def _stack(folder: Path, db_url: str, nats_url: str) -> AsyncIterator[LiveStack]:
    listener = loopback_listener()
    base_url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    outbox = folder / "dev-outbox.jsonl"
    settings = Settings(
        home=folder,
        database_url=db_url,
        nats_url=nats_url,
        public_url=base_url,
        secret_key=SECRET,
        dev_outbox=outbox,
        crisis_resources=CRISIS,
    )
    notifier = NotifierSettings(
        database_url=db_url,
        nats_url=nats_url,
        secret_key=SECRET,
        public_url=base_url,
        dev_outbox=outbox,
        crisis_resources=CRISIS,
        retry_base_delay=0.05,
        lease_seconds=3.0,
        ack_wait_seconds=5.0,
    )
    # The planner first: its relay makes the stream the notifier's consumer reads.
    with serving(create_app(settings), listener):
        stop = asyncio.Event()
        running = Notifier(notifier)
        task = asyncio.create_task(running.run(stop))
        try:
            await asyncio.wait_for(running.ready.wait(), NOTIFIER_START_SECONDS)
            yield LiveStack(base_url=base_url, outbox=outbox, db_url=db_url, settings=settings)
        finally:
            stop.set()
            await asyncio.wait_for(task, NOTIFIER_START_SECONDS)
