"""Page routes, one module per page or group of pages; ``PAGES`` lists them all."""

from litestar.types import ControllerRouterHandler

from planner.web.routes import ack, consent, start

PAGES: list[ControllerRouterHandler] = [
    start.start_page,
    consent.consent_page,
    consent.decide,
    consent.withdraw,
    ack.ack_page,
    ack.ack,
]
