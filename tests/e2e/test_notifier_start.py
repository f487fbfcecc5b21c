"""A notifier started before its database or NATS is up waits for them instead of crashing.

In a deployment the services start in any order; the notifier logs what it waits for,
starts serving once both answer, and still stops promptly while it waits.
"""

import asyncio
from pathlib import Path

import nats
import pytest

from notifier.service import Notifier
from planner.relay.streams import ensure_streams
from planner.runtime.embedded.nats_server import EmbeddedNats, free_port
from tests.e2e.conftest import notifier_settings
from tests.support.log_capture import captured_logs
from tests.support.receivers import GatedWebhookReceiver, SmsProvider, SmtpServer

pytestmark = pytest.mark.integration

STOP_WITHIN_SECONDS = 3.0


async def test_a_notifier_started_before_nats_serves_once_nats_is_up(
    db_url: str,
    tmp_path: Path,
    receivers: tuple[GatedWebhookReceiver, SmtpServer, SmsProvider],
) -> None:
    _, smtp, sms = receivers
    server = EmbeddedNats(tmp_path / "nats", port=free_port())
    url = f"nats://127.0.0.1:{server.port}"
    stop = asyncio.Event()
    notifier = Notifier(notifier_settings(db_url, url, smtp, sms))
    running = asyncio.create_task(notifier.run(stop))
    try:
        await asyncio.sleep(1.0)
        assert not running.done()  # waiting, not crashed
        assert not notifier.ready.is_set()

        assert await asyncio.to_thread(server.start) == url
        connection = await nats.connect(url)
        await ensure_streams(connection.jsm())  # what the planner does at its start
        await connection.close()
        await asyncio.wait_for(notifier.ready.wait(), 15)
    finally:
        stop.set()
        await asyncio.wait_for(running, STOP_WITHIN_SECONDS)
        await asyncio.to_thread(server.stop)


async def test_a_notifier_waiting_for_its_database_stops_promptly(
    receivers: tuple[GatedWebhookReceiver, SmtpServer, SmsProvider],
) -> None:
    _, smtp, sms = receivers
    nowhere = f"postgresql://tandem@127.0.0.1:{free_port()}/tandem"
    stop = asyncio.Event()
    notifier = Notifier(notifier_settings(nowhere, "nats://127.0.0.1:1", smtp, sms))
    with captured_logs() as logs:
        running = asyncio.create_task(notifier.run(stop))
        await asyncio.sleep(1.0)
    assert not running.done()
    assert any(line["dependency"] == "database" for line in logs.events("common.waiting"))

    stop.set()
    await asyncio.wait_for(running, STOP_WITHIN_SECONDS)
    assert not notifier.ready.is_set()
