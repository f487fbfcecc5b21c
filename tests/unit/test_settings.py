"""Settings come from TANDEM_* variables, with clear errors."""

from datetime import timedelta
from pathlib import Path

import pytest

from planner.settings import Rate, Settings, SettingsError, Throttling, from_env, with_home_secret


def test_no_variables_means_embedded_servers_under_dot_tandem() -> None:
    settings = from_env({})
    assert settings.database_url is None
    assert settings.nats_url is None
    assert settings.home == Path(".tandem")
    assert settings.base_url == "http://127.0.0.1:8000"


def test_urls_and_port_are_read() -> None:
    settings = from_env(
        {
            "TANDEM_DATABASE_URL": "postgresql://db",
            "TANDEM_NATS_URL": "nats://n",
            "TANDEM_PORT": "9",
        }
    )
    assert (settings.database_url, settings.nats_url, settings.port) == (
        "postgresql://db",
        "nats://n",
        9,
    )


@pytest.mark.parametrize("port", ["http", "0", "70000", "-1"])
def test_a_bad_port_names_the_variable(port: str) -> None:
    with pytest.raises(SettingsError, match="TANDEM_PORT"):
        from_env({"TANDEM_PORT": port})


def test_the_home_secret_is_made_once_private_and_kept(tmp_path: Path) -> None:
    first = with_home_secret(Settings(home=tmp_path))
    second = with_home_secret(Settings(home=tmp_path))
    assert first.secret_key
    assert first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_tokens_live_ninety_days_without_use_unless_set() -> None:
    assert from_env({}).token_lifetime == timedelta(days=90)
    assert from_env({"TANDEM_TOKEN_DAYS": "7"}).token_lifetime == timedelta(days=7)


@pytest.mark.parametrize("days", ["0", "-1", "ninety", "1.5", "99999"])
def test_a_bad_token_lifetime_names_the_variable(days: str) -> None:
    with pytest.raises(SettingsError, match="TANDEM_TOKEN_DAYS"):
        from_env({"TANDEM_TOKEN_DAYS": days})


def test_throttling_limits_are_read_as_count_per_unit_or_off() -> None:
    settings = from_env({"TANDEM_THROTTLE_SIGNUPS": "5/hour", "TANDEM_THROTTLE_TOKEN": "off"})
    assert settings.throttling.signups == Rate(5, "hour")
    assert settings.throttling.token is None
    assert settings.throttling.failures == Throttling().failures  # unset: the default


def test_every_throttling_limit_has_its_variable() -> None:
    environ = {f"TANDEM_THROTTLE_{name.upper()}": "7/day" for name in Throttling.__struct_fields__}
    limits = from_env(environ).throttling
    assert all(getattr(limits, name) == Rate(7, "day") for name in Throttling.__struct_fields__)


@pytest.mark.parametrize("text", ["5", "0/minute", "5/fortnight", "-1/second", "lots"])
def test_a_throttling_limit_that_cannot_be_used_names_its_variable(text: str) -> None:
    with pytest.raises(SettingsError, match="TANDEM_THROTTLE_LINKS"):
        from_env({"TANDEM_THROTTLE_LINKS": text})
