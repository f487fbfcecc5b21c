"""``/metrics`` for Prometheus: Litestar's HTTP metrics and the planner's own."""

import contextlib
from typing import Any

from litestar import Request
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController

from planner.metrics import OUTBOX_DEPTH
from planner.relay import outbox
from planner.store.event_store import EventStoreError


def config() -> PrometheusConfig:
    return PrometheusConfig(
        app_name="tandem-planner",
        prefix="tandem_http",
        # Paths as routed ("/v1/plans/{plan_id:uuid}"): never an id, nor the token that
        # capability links carry in their path.
        group_path=True,
        exclude=["^/metrics$"],
    )


async def _refresh_outbox_depth(request: Request[Any, Any, Any]) -> None:
    """One count per scrape, instead of work on the relay's hot path."""
    # When the database is away the gauge keeps its last value; /readyz says why.
    with contextlib.suppress(EventStoreError):
        OUTBOX_DEPTH.set(await outbox.depth(request.app.state.pool))


class MetricsController(PrometheusController):
    path = "/metrics"
    include_in_schema = False
    before_request = staticmethod(_refresh_outbox_depth)
