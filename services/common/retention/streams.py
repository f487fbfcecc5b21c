"""How long JetStream keeps a message: ``TANDEM_STREAM_MAX_AGE_DAYS``, the same in both services.

Plan events are published with the personal data the notifier needs to send an alert; the
event store, not JetStream, is the record. So every Tandem stream drops a message once it
is older than ``max_age``: what a message carries about a person is gone from the broker
within that many days, erased or not. The planner creates its streams with it; the notifier
makes the live streams agree at its start too, so whichever service starts with a changed
setting applies it. A notifier replay reads only as far back as the plan stream keeps.
"""

import dataclasses

import structlog
from nats.js.errors import NotFoundError
from nats.js.manager import JetStreamManager

from contracts.subjects import DELIVERY_STREAM, DLQ_STREAM, PLAN_STREAM

log = structlog.stdlib.get_logger(__name__)

MAX_AGE_VARIABLE = "TANDEM_STREAM_MAX_AGE_DAYS"
DEFAULT_MAX_AGE_DAYS = 30
MAX_MAX_AGE_DAYS = 3650
SECONDS_PER_DAY = 24 * 3600
STREAMS = (PLAN_STREAM, DELIVERY_STREAM, DLQ_STREAM)


class MaxAgeError(ValueError):
    """The setting is not a whole number of days in range; the message names the variable."""


def max_age_days(environ: dict[str, str]) -> int:
    """The days a stream keeps a message, from ``TANDEM_STREAM_MAX_AGE_DAYS`` (default 30)."""
    text = environ.get(MAX_AGE_VARIABLE, "").strip()
    if not text:
        return DEFAULT_MAX_AGE_DAYS
    if not text.isdigit() or not 1 <= int(text) <= MAX_MAX_AGE_DAYS:
        raise MaxAgeError(
            f"{MAX_AGE_VARIABLE} must be a whole number of days from 1 to {MAX_MAX_AGE_DAYS}, "
            f"got {text!r}"
        )
    return int(text)


def max_age_seconds(days: int) -> float:
    """JetStream's ``max_age`` (nats-py takes seconds) for ``days``."""
    return float(days * SECONDS_PER_DAY)


async def apply_max_age(jsm: JetStreamManager, days: int) -> list[str]:
    """Give each Tandem stream that exists ``max_age`` of ``days``; the names of those changed.

    Only ``max_age`` is touched: the rest of a stream's config is the planner's. A stream not
    created yet is left for the planner, which creates it with the same setting.
    """
    wanted = max_age_seconds(days)
    changed = []
    for name in STREAMS:
        try:
            live = (await jsm.stream_info(name)).config
        except NotFoundError:
            continue
        if live.max_age == wanted:
            continue
        await jsm.update_stream(dataclasses.replace(live, max_age=wanted))
        log.info("jetstream.max_age_applied", stream=name, days=days)
        changed.append(name)
    return changed
