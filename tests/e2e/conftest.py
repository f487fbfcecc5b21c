"""HTTP in, alert out: the planner (with its relay), the notifier, real servers, loopback receivers.

Each test gets its own database and its own nats-server, so streams and durable
consumers never mix between tests.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from notifier.service import Notifier
from notifier.settings import NotifierSettings
from planner.api.app import create_app
from planner.runtime.embedded.nats_server import EmbeddedNats
from planner.settings import UNLIMITED, Settings
from tests.support.receivers import GatedWebhookReceiver, SmsProvider, SmtpServer

pytestmark = pytest.mark.integration

SECRET = b"e2e-secret-key-not-for-production"
PUBLIC_URL = "http://tandem.test"


class Stack(msgspec.Struct, kw_only=True):
    client: AsyncTestClient[Any]
    webhooks: GatedWebhookReceiver  # answers at once unless told to hold
    smtp: SmtpServer
    sms: SmsProvider
    notifier_settings: NotifierSettings
    nats: EmbeddedNats
    nats_url: str
    db_url: str
    notifier: Notifier | None = None  # running in this process; its status_url answers HTTP


@pytest.fixture
async def own_nats(tmp_path: Path) -> AsyncIterator[tuple[EmbeddedNats, str]]:
    server = EmbeddedNats(tmp_path / "nats")
    url = await asyncio.to_thread(server.start)
    try:
        yield server, url
    finally:
        await asyncio.to_thread(server.stop)


@pytest.fixture
async def receivers() -> AsyncIterator[tuple[GatedWebhookReceiver, SmtpServer, SmsProvider]]:
    async with GatedWebhookReceiver() as webhooks, SmtpServer() as smtp, SmsProvider() as sms:
        yield webhooks, smtp, sms


def notifier_settings(
    db_url: str, nats_url: str, smtp: SmtpServer, sms: SmsProvider
) -> NotifierSettings:
    return NotifierSettings(
        database_url=db_url,
        nats_url=nats_url,
        secret_key=SECRET,
        public_url=PUBLIC_URL,
        smtp_url=smtp.url,
        sms_url=sms.url,
        allow_private_webhooks=True,
        retry_base_delay=0.05,
        retry_deadline=5.0,
        failing_after_seconds=2.0,  # counts as failed soon: the tests wait for no 90 s
        lease_seconds=3.0,
        ack_wait_seconds=5.0,
        max_deliveries=3,
    )


@contextlib.asynccontextmanager
async def running_notifier(settings: NotifierSettings) -> AsyncIterator[Notifier]:
    stop = asyncio.Event()
    notifier = Notifier(settings)
    task = asyncio.create_task(notifier.run(stop))
    try:
        await asyncio.wait_for(notifier.ready.wait(), 15)
        yield notifier
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)


@contextlib.asynccontextmanager
async def supervised_notifier(settings: NotifierSettings) -> AsyncIterator[list[str]]:
    """The notifier as ``tandem dev`` runs it: started again whenever it exits by itself.

    Yields the list of how each run ended early (empty while none did), so a test can say
    how often that happened instead of failing on something it does not test.
    """
    stop = asyncio.Event()
    ended: list[str] = []
    first = Notifier(settings)

    async def supervise() -> None:
        notifier = first
        while True:
            try:
                await notifier.run(stop)
            except ExceptionGroup as crash:  # what the notifier's task group ends with
                ended.append(" / ".join(type(e).__name__ for e in crash.exceptions))
            if stop.is_set():
                return
            notifier = Notifier(settings)

    task = asyncio.create_task(supervise())
    try:
        await asyncio.wait_for(first.ready.wait(), 15)
        yield ended
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)


@pytest.fixture
async def planner(
    db_url: str, tmp_path: Path, own_nats: tuple[EmbeddedNats, str]
) -> AsyncIterator[AsyncTestClient[Any]]:
    """The planner's API with its outbox relay, and no notifier in this process."""
    settings = Settings(
        home=tmp_path,
        database_url=db_url,
        nats_url=own_nats[1],
        public_url=PUBLIC_URL,
        secret_key=SECRET,
        allow_private_webhooks=True,
        throttling=UNLIMITED,  # hundreds of people made in seconds, from one address
    )
    async with AsyncTestClient(app=create_app(settings), base_url=PUBLIC_URL) as client:
        yield client


@pytest.fixture
async def stack(
    db_url: str,
    tmp_path: Path,
    own_nats: tuple[EmbeddedNats, str],
    receivers: tuple[GatedWebhookReceiver, SmtpServer, SmsProvider],
) -> AsyncIterator[Stack]:
    nats, nats_url = own_nats
    webhooks, smtp, sms = receivers
    planner_settings = Settings(
        home=tmp_path,
        database_url=db_url,
        nats_url=nats_url,
        public_url=PUBLIC_URL,
        secret_key=SECRET,
        allow_private_webhooks=True,
        throttling=UNLIMITED,  # hundreds of people made in seconds, from one address
    )
    app = create_app(planner_settings)
    async with AsyncTestClient(app=app, base_url=PUBLIC_URL) as client:
        settings = notifier_settings(db_url, nats_url, smtp, sms)
        async with running_notifier(settings) as notifier:
            yield Stack(
                client=client,
                webhooks=webhooks,
                smtp=smtp,
                sms=sms,
                notifier_settings=settings,
                nats=nats,
                nats_url=nats_url,
                db_url=db_url,
                notifier=notifier,
            )
