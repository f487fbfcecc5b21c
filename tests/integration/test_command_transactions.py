"""When a command needs a transaction: only when it writes more than its one append."""

from typing import Any

import asyncpg
import pytest
from uuid_utils.compat import uuid7

from planner import handlers
from planner.store import event_store, plan_states, read_models
from tests.support.builders import CHAIN_KEY
from tests.support.commands import METADATA, add_sign, create_plan

pytestmark = pytest.mark.integration


class Transactions:
    """Counts the transactions asyncpg connections open."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.opened = 0
        begin = asyncpg.connection.Connection.transaction

        def counted(conn: asyncpg.Connection, **kwargs: Any) -> Any:
            self.opened += 1
            return begin(conn, **kwargs)

        monkeypatch.setattr(asyncpg.connection.Connection, "transaction", counted)


async def test_a_command_that_only_appends_opens_no_transaction(
    db_pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan_id = uuid7()
    await handlers.execute(db_pool, plan_id, create_plan(plan_id), METADATA, chain_key=CHAIN_KEY)
    transactions = Transactions(monkeypatch)

    result = await handlers.execute(db_pool, plan_id, add_sign(), METADATA, chain_key=CHAIN_KEY)

    assert transactions.opened == 0  # its append is one statement
    assert result.version == 2
    assert len(await event_store.read_stream(db_pool, plan_id)) == 2


async def test_a_command_writing_read_models_commits_them_with_its_events_or_neither(
    db_pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def projection_fails(*_: object) -> None:
        raise RuntimeError("the read model could not be written")

    monkeypatch.setattr(read_models, "project", projection_fails)
    plan_id = uuid7()

    with pytest.raises(RuntimeError):
        await handlers.execute(
            db_pool, plan_id, create_plan(plan_id), METADATA, chain_key=CHAIN_KEY
        )

    assert await event_store.read_stream(db_pool, plan_id) == []
    assert await db_pool.fetchval("SELECT count(*) FROM outbox WHERE stream_id = $1", plan_id) == 0
    assert plan_states.PLANS.kept(plan_id) is None  # a rolled-back state is not kept
