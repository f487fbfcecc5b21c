"""An HTTP client on the real app (pages and API), over a fresh database per test."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from planner.api.app import create_app
from planner.settings import Settings
from tests.support.api import TEST_SECRET

pytestmark = pytest.mark.integration

CRISIS = "Call the test crisis line at 555-0100."


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(
        home=tmp_path,
        database_url=db_url,
        public_url="http://tandem.test",
        secret_key=TEST_SECRET,
        crisis_resources=CRISIS,
    )


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    app = create_app(settings)
    async with AsyncTestClient(app=app, base_url="http://tandem.test") as test_client:
        yield test_client
