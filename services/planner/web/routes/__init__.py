"""Page routes, one module per page or group of pages; ``PAGES`` lists them all."""

from litestar.types import ControllerRouterHandler

from planner.web.routes import start

PAGES: list[ControllerRouterHandler] = [
    start.start_page,
]
