"""An HTTP client on the real app, over a fresh database per test."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from planner.api.app import create_app
from planner.settings import UNLIMITED, Settings
from tests.support.api import TEST_SECRET

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(
        home=tmp_path,
        database_url=db_url,
        public_url="http://tandem.test",
        secret_key=TEST_SECRET,
        # These tests send requests as fast as the machine allows, wrong tokens and forged
        # links among them, all from one address; the limits have tests of their own
        # (test_throttling_api.py), which turn them on.
        throttling=UNLIMITED,
    )


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    # The test client runs the app on its own event loop, so the app makes its own pool.
    app = create_app(settings)
    async with AsyncTestClient(app=app, base_url="http://tandem.test") as test_client:
        yield test_client
