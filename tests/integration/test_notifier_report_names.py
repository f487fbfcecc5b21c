"""A claim keeps whom its note names and the request it belongs to, and its report says so:
the planner's accounting of disclosures attributes each message by them."""

from uuid import UUID

import asyncpg
import pytest
from uuid_utils.compat import uuid7

from contracts.vocabulary import Channel, ChannelKind, MessageKind
from notifier.domain.alert_text import Rendered
from notifier.domain.deliveries import PlannedDelivery
from notifier.ledger import claims, migrations, reports
from notifier.loops.reporter import _delivery_report

pytestmark = pytest.mark.integration

FINISH = "UPDATE notifier.deliveries SET status = 'sent', finished_at = now()"


def _words(delivery: PlannedDelivery, sequence: int) -> Rendered:
    return Rendered(subject="s", text="t", payload={})


async def test_a_report_names_the_request_and_whom_its_message_is_about(
    db_pool: asyncpg.Pool,
) -> None:
    async with db_pool.acquire() as conn:
        await migrations.migrate(conn)
        request_id, about = UUID(str(uuid7())), UUID(str(uuid7()))
        planned = PlannedDelivery(
            activation_id=None,
            plan_id=UUID(str(uuid7())),
            recipient_id=UUID(str(uuid7())),
            recipient_name="Sam",
            channel=Channel(kind=ChannelKind.EMAIL, address="sam@example.org"),
            tier=0,
            message=MessageKind.DISCLOSURE_REQUEST,
            request_id=request_id,
            about=about,
        )
        async with conn.transaction():
            assert await claims.claim(conn, [planned], _words) == 1
        await conn.execute(FINISH)

        [row] = await reports.unreported_deliveries(conn)

    report = _delivery_report(row)
    assert (report.request_id, report.about) == (request_id, about)
    assert report.message is MessageKind.DISCLOSURE_REQUEST
