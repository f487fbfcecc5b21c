"""Planner migration 0008: the token each participant registered with keeps working."""

import shutil
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest

from common.ids import new_id
from planner.store import tokens
from planner.store.accounts import token_hash
from planner.store.migrations import default_directory, migrate
from tests.support.database import fresh_database

pytestmark = pytest.mark.integration

OLD_PARTICIPANT = """
INSERT INTO participants (participant_id, display_name, token_sha256) VALUES ($1, 'Alex', $2)
"""


@pytest.fixture
async def empty_db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    async with fresh_database(database_url, None, "tandem_empty") as url:
        conn = await asyncpg.connect(url)
        try:
            yield conn
        finally:
            await conn.close()


async def test_a_token_registered_before_becomes_a_token_that_expires_unused(
    empty_db: asyncpg.Connection, tmp_path: Path
) -> None:
    for path in default_directory().glob("*.sql"):
        if int(path.name[:4]) < 8:  # the migrations before the one under test
            shutil.copy(path, tmp_path)
    await migrate(empty_db, tmp_path)
    alex = new_id()
    await empty_db.execute(OLD_PARTICIPANT, alex, token_hash("tdm_p_old"))

    assert "0008_tokens_and_operator_reads.sql" in await migrate(empty_db)

    holder = await tokens.holder(empty_db, "tdm_p_old", timedelta(days=90))
    assert holder is not None
    assert holder.participant.participant_id == alex
    [listed] = await tokens.listed(empty_db, alex)
    assert timedelta(days=89) < listed.expires_at - listed.last_used_at <= timedelta(days=90)
