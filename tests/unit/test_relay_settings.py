"""The relay's settings: TANDEM_RUN_RELAY and TANDEM_NATS_REPLICAS, with clear errors."""

import pytest

from planner.settings import SettingsError, from_env


def test_the_relay_runs_with_one_replica_unless_told_otherwise() -> None:
    settings = from_env({})
    assert (settings.run_relay, settings.nats_replicas) == (True, 1)


@pytest.mark.parametrize(("text", "expected"), [("0", False), ("false", False), ("Yes", True)])
def test_run_relay_reads_a_flag(text: str, expected: bool) -> None:
    assert from_env({"TANDEM_RUN_RELAY": text}).run_relay is expected


def test_a_three_node_cluster_sets_three_replicas() -> None:
    assert from_env({"TANDEM_NATS_REPLICAS": "3"}).nats_replicas == 3


@pytest.mark.parametrize(
    ("name", "text"),
    [("TANDEM_RUN_RELAY", "maybe"), ("TANDEM_NATS_REPLICAS", "0"), ("TANDEM_NATS_REPLICAS", "x")],
)
def test_a_bad_relay_setting_names_the_variable(name: str, text: str) -> None:
    with pytest.raises(SettingsError, match=name):
        from_env({name: text})
