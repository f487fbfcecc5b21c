"""TANDEM_STREAM_MAX_AGE_DAYS: how long JetStream keeps a message, read alike by both services."""

import pytest

from common.retention.streams import DEFAULT_MAX_AGE_DAYS, max_age_seconds
from notifier.settings import SettingsError as NotifierSettingsError
from notifier.settings import from_env as notifier_from_env
from planner.settings import SettingsError as PlannerSettingsError
from planner.settings import from_env as planner_from_env

NOTIFIER_NEEDS = {
    "TANDEM_DATABASE_URL": "postgresql://db",
    "TANDEM_NATS_URL": "nats://nats",
    "TANDEM_SECRET_KEY": "k",
}


def test_both_services_keep_messages_thirty_days_unless_told_otherwise() -> None:
    assert DEFAULT_MAX_AGE_DAYS == 30
    assert planner_from_env({}).stream_max_age_days == DEFAULT_MAX_AGE_DAYS
    assert notifier_from_env(NOTIFIER_NEEDS).stream_max_age_days == DEFAULT_MAX_AGE_DAYS
    assert max_age_seconds(30) == 30 * 24 * 3600.0


def test_both_services_read_the_same_variable() -> None:
    env = {**NOTIFIER_NEEDS, "TANDEM_STREAM_MAX_AGE_DAYS": " 7 "}
    assert planner_from_env(env).stream_max_age_days == 7
    assert notifier_from_env(env).stream_max_age_days == 7


@pytest.mark.parametrize("text", ["0", "-3", "1.5", "forever", "3651"])
def test_a_bad_max_age_names_the_variable_in_either_service(text: str) -> None:
    env = {**NOTIFIER_NEEDS, "TANDEM_STREAM_MAX_AGE_DAYS": text}
    with pytest.raises(PlannerSettingsError, match="TANDEM_STREAM_MAX_AGE_DAYS"):
        planner_from_env(env)
    with pytest.raises(NotifierSettingsError, match="TANDEM_STREAM_MAX_AGE_DAYS"):
        notifier_from_env(env)
