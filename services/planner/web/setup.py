"""How the pages join the planner's app: routes, templates, static assets, CSRF, headers."""

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from litestar.types import BeforeMessageSendHookHandler, ControllerRouterHandler

from planner.settings import Settings
from planner.web.routes import PAGES
from planner.web.security import page_headers

HERE = Path(__file__).parent
STATIC_MAX_AGE = 3600


def templates(settings: Settings) -> TemplateConfig[JinjaTemplateEngine]:
    """Jinja2 with autoescaping; every page knows the crisis resources."""
    environment = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["crisis_resources"] = settings.crisis_resources
    return TemplateConfig(
        engine=JinjaTemplateEngine.from_environment(environment),
    )


def static_assets() -> Router:
    """CSS and the few lines of JavaScript, served by Tandem itself (no CDN)."""
    return create_static_files_router(
        path="/static",
        directories=[HERE / "static"],
        cache_control=CacheControlHeader(max_age=STATIC_MAX_AGE),
        include_in_schema=False,
    )


def route_handlers() -> list[ControllerRouterHandler]:
    return [*PAGES, static_assets()]


BEFORE_SEND: list[BeforeMessageSendHookHandler] = [page_headers]
