"""The API's fixtures (a real app over this test's database), for commands that need traffic."""

from tests.integration.api.conftest import client, settings

__all__ = ["client", "settings"]
