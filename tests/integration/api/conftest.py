"""An HTTP client on the real app, over a fresh database per test."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from planner.settings import UNLIMITED, Settings
from tests.support.app_client import app_client, app_settings

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    # These tests send requests as fast as the machine allows, wrong tokens and forged
    # links among them, all from one address; the limits have tests of their own
    # (test_throttling_api.py), which turn them on.
    return app_settings(tmp_path, db_url, throttling=UNLIMITED)


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    async with app_client(settings) as test_client:
        yield test_client
