"""The log line both services write: one JSON object a line on stderr, or a console line on a TTY.

Shared because it is a contract with whoever reads the logs: every line has ``event``,
``level``, ``timestamp`` and ``logger``, and work done for a request or a plan event also
``correlation_id``. Events are key-value (``log.info("relay.published", event_id=…)``) and
carry ids, types, statuses, counts and durations: never names, notes, warning signs,
addresses, tokens or message text.

Library loggers (uvicorn, asyncpg, nats) go through the standard ``logging`` root handler,
so their lines take the same shape.
"""

import logging
import sys
from collections.abc import MutableMapping
from typing import Any, TextIO
from uuid import UUID

import structlog
from structlog.typing import Processor

CORRELATION_ID = "correlation_id"  # the key under which a line names its correlation id

# HTTP clients may log a request's URL below warning level: a webhook's address, a capability
# link's token. httpx logs every request at INFO (tests and tools use it); aiohttp sends.
QUIET_LIBRARIES = ("httpx", "httpcore", "aiohttp")

_SHARED: list[Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure(
    stream: TextIO | None = None, *, as_json: bool | None = None, level: int = logging.INFO
) -> logging.Handler:
    """Send every log line of this process to ``stream`` (stderr); JSON unless it is a TTY.

    Call once per process, at its entry point. Returns the root handler it installed.
    """
    out = sys.stderr if stream is None else stream
    if as_json is None:
        as_json = not out.isatty()
    through_stdlib()
    handler = logging.StreamHandler(out)
    handler.setFormatter(formatter(as_json=as_json))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    return handler


def through_stdlib() -> None:
    """Hand structlog's events to the standard ``logging`` module, where handlers render them.

    Tests call only this, so pytest's log capture sees every event.
    """
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,  # a debug line costs nothing when it is off
            *_SHARED,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        # Not cached, so a later configure (a test capturing lines) reaches every logger.
        cache_logger_on_first_use=False,
    )
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)


def formatter(*, as_json: bool) -> structlog.stdlib.ProcessorFormatter:
    """Renders a record, ours or a library's, as one JSON line or one console line."""
    # Tracebacks without local variables: a frame's locals may hold a name or an address.
    final: list[Processor] = (
        [
            structlog.processors.ExceptionRenderer(
                structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
            ),
            structlog.processors.JSONRenderer(),
        ]
        if as_json
        else [
            structlog.dev.ConsoleRenderer(
                exception_formatter=structlog.dev.RichTracebackFormatter(show_locals=False)
            )
        ]
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_SHARED,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            _plain_ids,
            *final,
        ],
    )


def _plain_ids(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Ids as their plain text, the way the API and the events spell them."""
    for key, value in event.items():
        if isinstance(value, UUID):
            event[key] = str(value)
    return event
