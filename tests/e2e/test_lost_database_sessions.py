"""The notifier's database sessions are cut (a failover, a restart, an idle-session killer).

The notifier keeps running: its pool opens new sessions, its worker listens again, and
the next activation is alerted as if nothing had happened.
"""

import pytest

from notifier.ledger.sessions import SESSION_SETTINGS
from tests.e2e.conftest import Stack
from tests.e2e.test_alerts import of_type, support
from tests.support.api import activate, couple
from tests.support.database import value_of
from tests.support.eventually import eventually

pytestmark = pytest.mark.integration

CUT = "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1"
NOTIFIER_SESSIONS = "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1"


async def notifier_sessions(db_url: str, query: str) -> int:
    count: int = await value_of(db_url, query, SESSION_SETTINGS["application_name"])
    return count


async def test_a_notifier_whose_sessions_were_terminated_still_alerts(stack: Stack) -> None:
    plan = await couple(stack.client)
    await support(stack, plan)
    await eventually(lambda: len(of_type(stack, "tandem.consent_request")) == 1, timeout=10)

    assert await notifier_sessions(stack.db_url, CUT) >= 2  # the pool's and the listener's
    activation = await activate(stack.client, plan, "crisis")

    await eventually(lambda: len(of_type(stack, "tandem.alert")) == 1, timeout=15)
    alerted = of_type(stack, "tandem.alert")
    assert [a.json()["activation_id"] for a in alerted] == [activation["activation_id"]]

    # The worker listens again, so it is woken by NOTIFY rather than by its polling.
    async def listening_again() -> bool:
        return await notifier_sessions(stack.db_url, NOTIFIER_SESSIONS) >= 2

    await eventually(listening_again, timeout=10)
