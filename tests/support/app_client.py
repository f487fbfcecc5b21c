"""The real planner app behind an HTTP test client, over a test's own database.

The API and the page tests start it the same way; only a few settings differ (the page
tests name a crisis line, the API tests turn the request limits off).
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient

from planner.api.app import create_app
from planner.settings import Settings
from tests.support.api import TEST_SECRET

BASE_URL = "http://tandem.test"


def app_settings(home: Path, database_url: str, **overrides: Any) -> Settings:
    """Settings for one test: its own home folder and database, the test secret."""
    return Settings(
        home=home,
        database_url=database_url,
        public_url=BASE_URL,
        secret_key=TEST_SECRET,
        **overrides,
    )


@asynccontextmanager
async def app_client(settings: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    """A client of the app built from ``settings``, open for the ``async with`` block."""
    # The test client runs the app on its own event loop, so the app makes its own pool.
    async with AsyncTestClient(app=create_app(settings), base_url=BASE_URL) as client:
        yield client
