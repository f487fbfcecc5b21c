"""The app factory: ``create_app(settings)``. Nothing connects at import time."""

import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager

import asyncpg
from litestar import Litestar
from litestar.datastructures import State
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.plugins.problem_details import ProblemDetailsPlugin
from litestar.types import ControllerRouterHandler

from planner.api import bodies, openapi, problems, throttling
from planner.api.correlation import CorrelationMiddleware
from planner.api.deps import DEPENDENCIES
from planner.api.routes import (
    activations,
    check_ins,
    consents,
    dev_outbox,
    erasure,
    health,
    metrics,
    my_data,
    operator_reads,
    participants,
    plans,
    privacy,
    signs,
    steps,
    supports,
    tokens,
)
from planner.handlers.consent_ends import noticing
from planner.inbound.delivery_recorder import recording
from planner.relay import wake
from planner.relay.loop import Relay, running
from planner.settings import Settings
from planner.store import data_keys
from planner.store import pool as pool_factory
from planner.store.rate_limits import PostgresStore
from planner.web import session as page_session
from planner.web import setup as pages
from planner.web.security import csrf_config

ROUTES: list[ControllerRouterHandler] = [
    health.healthz,
    health.readyz,
    metrics.MetricsController,
    participants.register,
    participants.me,
    participants.set_my_channels,
    erasure.erase_me,
    tokens.list_tokens,
    tokens.issue_token,
    tokens.revoke_other_tokens,
    tokens.revoke_token,
    plans.create_plan,
    plans.read_plan,
    plans.plan_events,
    operator_reads.plan_operator_reads,
    operator_reads.all_operator_reads,
    plans.invite_partner,
    plans.accept_invite,
    signs.add_sign,
    signs.revise_sign,
    signs.retire_sign,
    steps.add_step,
    steps.revise_step,
    steps.remove_step,
    check_ins.check_in,
    supports.add_support,
    supports.ask_again,
    supports.remove_support,
    erasure.erase_support,
    supports.set_escalation,
    privacy.set_my_disclosure,
    privacy.my_do_not_involve,
    privacy.add_do_not_involve,
    privacy.remove_do_not_involve,
    my_data.my_disclosures,
    my_data.my_export,
    consents.read_consent,
    consents.decide_consent,
    consents.withdraw_consent,
    activations.activate,
    activations.read_activation,
    activations.acknowledge,
    activations.resolve,
    activations.acknowledge_by_link,
]


def create_app(settings: Settings, pool: asyncpg.Pool | None = None) -> Litestar:
    """The planner's HTTP app. With ``pool`` given, the caller owns it (tests, embedding)."""
    dev_pages = [dev_outbox.outbox_page, dev_outbox.outbox_json] if settings.dev_outbox else []
    counts = PostgresStore()
    return Litestar(
        route_handlers=[*ROUTES, *dev_pages, *pages.route_handlers()],
        dependencies=DEPENDENCIES,
        request_class=bodies.GuardedRequest,
        request_max_body_size=bodies.MAX_BODY_BYTES,
        lifespan=[_lifespan(settings, pool, counts)],
        middleware=[
            metrics.config().middleware,
            CorrelationMiddleware(),
            *throttling.middleware(settings.throttling),
        ],
        stores={throttling.STORE: counts},
        plugins=[ProblemDetailsPlugin(problems.config())],
        exception_handlers={
            Exception: problems.internal_error,
            page_session.NotSignedIn: page_session.to_start,
        },
        template_config=pages.templates(settings),
        csrf_config=csrf_config(settings),
        before_send=pages.BEFORE_SEND,
        logging_config=None,  # the process configured logging (common.logs): keep it
        state=State({"settings": settings}),
        openapi_config=openapi.config(
            title="Tandem planner API",
            version="1",
            description=(
                "A shared relapse-prevention plan for two partners in recovery. Every error "
                "is an RFC 9457 problem details body (`application/problem+json`). Partners "
                "authenticate with `Authorization: Bearer`; operators with their own bearer "
                "token (reads only); support contacts act through signed links."
            ),
            path="/docs",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
        ),
    )


def _lifespan(
    settings: Settings, pool: asyncpg.Pool | None, counts: PostgresStore
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """The pool (the caller's, or one of our own), the relay and the recorder while serving."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if pool is not None:
                app.state.pool = pool
            elif settings.database_url:
                own = pool_factory.create(settings.database_url)
                app.state.pool = await stack.enter_async_context(own)
            else:
                raise RuntimeError("the planner needs a database URL (TANDEM_DATABASE_URL)")
            counts.use(app.state.pool)
            app.state.chain_key = settings.chain_key  # fails at start without a secret
            data_keys.learn(app.state.chain_key)  # before the relay reads sealed events
            app.state.relay = await _background(stack, settings, app.state.pool)
            yield
            await wake.settled(app.state.pool)  # the last commits' NOTIFY, then close

    return lifespan


async def _background(
    stack: AsyncExitStack, settings: Settings, pool: asyncpg.Pool
) -> Relay | None:
    """Start this process's relay, the delivery recorder and the check for consents that
    end soon, when NATS is configured.

    Both are stopped and awaited before the pool closes (the exit stack unwinds in reverse).
    """
    relay = _relay(settings)
    if relay is not None and settings.nats_url:
        await stack.enter_async_context(running(relay))
        wake.wake_locally(pool, relay.wake_if_active)
        await stack.enter_async_context(recording(pool, settings.nats_url, settings.chain_key))
        ends = noticing(
            pool, settings.chain_key, settings.consent_notice_days, settings.consent_check_seconds
        )
        await stack.enter_async_context(ends)
    return relay


def _relay(settings: Settings) -> Relay | None:
    """The outbox relay for this process, when NATS is configured and the flag allows.

    Every planner process may run one: the relay lock keeps one active, the rest stand by.
    """
    if not (settings.run_relay and settings.nats_url and settings.database_url):
        return None
    return Relay(
        settings.database_url,
        settings.nats_url,
        name=f"tandem-relay-{os.getpid()}",
        replicas=settings.nats_replicas,
        max_age_days=settings.stream_max_age_days,
    )
