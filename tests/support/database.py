"""One value from a test's database: what a service wrote, read the way a person would check."""

from typing import Any

import asyncpg


async def value_of(db_url: str, query: str, *args: object) -> Any:
    """The first column of the first row of ``query`` (None when there is no row)."""
    conn = await asyncpg.connect(db_url)
    try:
        return await conn.fetchval(query, *args)
    finally:
        await conn.close()
