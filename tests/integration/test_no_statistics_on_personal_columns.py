"""Migrations planner 0013 and notifier 0009: no column statistics sample a person's text.

ANALYZE copies common values of a column into pg_statistic, where they would outlive an
erasure; the columns that hold names, addresses, messages and payloads are never sampled.
"""

import asyncpg
import pytest

from notifier.ledger import migrations as ledger_migrations

pytestmark = pytest.mark.integration

UNSAMPLED = {
    ("public", "participants"): {"display_name", "channels"},
    ("public", "do_not_involve"): {"address_key", "reason"},
    ("public", "idempotency_keys"): {"body"},
    ("public", "events"): {"payload"},
    ("public", "data_keys"): {"wrapped"},
    ("notifier", "deliveries"): {
        "recipient_name",
        "address",
        "claim_key",
        "subject",
        "body",
        "payload",
        "reason",
    },
    ("notifier", "activations"): {"snapshot"},
    ("notifier", "signs"): {"description"},
}

STATISTICS_TARGETS = """
SELECT n.nspname, c.relname, a.attname, a.attstattarget
FROM pg_attribute AS a
JOIN pg_class AS c ON c.oid = a.attrelid
JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname IN ('public', 'notifier') AND c.relkind = 'r' AND a.attnum > 0
"""

SAMPLED = """
SELECT schemaname, tablename, attname FROM pg_stats
WHERE schemaname IN ('public', 'notifier')
"""

ROW = """
INSERT INTO notifier.signs (sign_id, plan_id, description)
SELECT gen_random_uuid(), gen_random_uuid(), 'Zephyrine-Q7 stops answering' FROM generate_series(1, 50)
"""


async def test_personal_columns_have_no_statistics_even_after_analyze(
    db_pool: asyncpg.Pool,
) -> None:
    async with db_pool.acquire() as conn:
        await ledger_migrations.migrate(conn)
        targets = {(r[0], r[1], r[2]): r[3] for r in await conn.fetch(STATISTICS_TARGETS)}
        for (schema, table), columns in UNSAMPLED.items():
            for column in columns:
                assert targets[(schema, table, column)] == 0, (schema, table, column)
        await conn.execute(ROW)
        await conn.execute("ANALYZE")
        sampled = {(r[0], r[1], r[2]) for r in await conn.fetch(SAMPLED)}
    assert ("notifier", "signs", "sign_id") in sampled  # ANALYZE did sample this table
    for (schema, table), columns in UNSAMPLED.items():
        assert not {(schema, table, column) for column in columns} & sampled
