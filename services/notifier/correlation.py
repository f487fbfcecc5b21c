"""The correlation id of the work in hand, in the log context: what a line says is what is stored.

The consumer binds the id of the plan event it handles, the escalator that of the
activation whose timer fired, the sender that of the claim it sends. Claims made meanwhile
take the bound id, so it follows a command from the planner's HTTP request to each delivery.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from uuid import UUID

import structlog

from common.logs import CORRELATION_ID


@contextmanager
def bound(correlation_id: UUID | None) -> Iterator[None]:
    """Bind ``correlation_id`` (None binds nothing) for the lines and claims of the block."""
    if correlation_id is None:
        yield
        return
    with structlog.contextvars.bound_contextvars(**{CORRELATION_ID: correlation_id}):
        yield


def current() -> UUID | None:
    found = structlog.contextvars.get_contextvars().get(CORRELATION_ID)
    return found if isinstance(found, UUID) else None
