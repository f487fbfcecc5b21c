"""An HTTP client on the real app (pages and API), over a fresh database per test."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from planner.settings import Settings
from tests.support.app_client import app_client, app_settings

pytestmark = pytest.mark.integration

CRISIS = "Call the test crisis line at 555-0100."


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return app_settings(tmp_path, db_url, crisis_resources=CRISIS)


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    async with app_client(settings) as test_client:
        yield test_client
