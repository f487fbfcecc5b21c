"""The planner's /metrics and correlation ids, over the real app and database."""

from typing import Any
from uuid import UUID

import pytest
from litestar.testing import AsyncTestClient
from prometheus_client.parser import text_string_to_metric_families
from uuid_utils.compat import uuid7

from tests.support.api import couple

pytestmark = pytest.mark.integration


async def scrape(client: AsyncTestClient[Any]) -> dict[tuple[str, frozenset[Any]], float]:
    answer = await client.get("/metrics")
    assert answer.status_code == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def value(samples: dict[tuple[str, frozenset[Any]], float], name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_metrics_count_the_events_a_command_appends(client: AsyncTestClient[Any]) -> None:
    before = await scrape(client)
    await couple(client)  # plan created, partner invited, partner joined
    after = await scrape(client)
    for event_type in ("plan.created", "plan.partner_invited", "plan.partner_joined"):
        grew = value(after, "tandem_events_appended_total", event_type=event_type) - value(
            before, "tandem_events_appended_total", event_type=event_type
        )
        assert grew == 1, event_type
    assert value(after, "tandem_outbox_depth") == 3  # no relay in this process


async def test_http_metrics_name_routes_never_ids(client: AsyncTestClient[Any]) -> None:
    plan = await couple(client)
    assert (await client.get(f"/v1/plans/{plan.plan_id}", headers=plan.first.auth)).is_success
    samples = await scrape(client)
    routed = {
        dict(labels).get("path")
        for (name, labels) in samples
        if name == "tandem_http_requests_total" and dict(labels).get("app_name") == "tandem-planner"
    }
    assert "/v1/plans/{plan_id}" in routed
    text = (await client.get("/metrics")).text
    assert plan.plan_id not in text
    assert plan.first.token not in text


async def test_the_callers_correlation_id_is_answered_and_stored_on_the_event(
    client: AsyncTestClient[Any],
) -> None:
    plan = await couple(client)
    correlation_id = str(uuid7())
    answer = await client.post(
        f"/v1/plans/{plan.plan_id}/check-ins",
        json={"mood": 3, "craving": 2},
        headers={**plan.first.auth, "X-Correlation-Id": correlation_id},
    )
    assert answer.status_code == 201, answer.text
    assert answer.headers["x-correlation-id"] == correlation_id
    history = await client.get(f"/v1/plans/{plan.plan_id}/events", headers=plan.first.auth)
    last = history.json()["events"][-1]
    assert last["type"] == "plan.check_in_recorded"
    assert last["correlation_id"] == correlation_id


async def test_an_invalid_correlation_id_is_replaced_by_a_new_one(
    client: AsyncTestClient[Any],
) -> None:
    answer = await client.get("/healthz", headers={"X-Correlation-Id": "not-a-uuid"})
    made = UUID(answer.headers["x-correlation-id"])
    assert made.version == 7
    again = await client.get("/healthz")
    assert again.headers["x-correlation-id"] != answer.headers["x-correlation-id"]
