"""The JetStream streams the planner owns: defined here, once, and made to match at start-up.

nats-py never changes an existing stream on its own, and the server refuses to create a
stream whose name is taken by a different config, so ``ensure_stream`` compares the live
config with the code's and updates it explicitly. Two processes starting together are
safe: creating a stream identical to an existing one is a no-op for the server, and the
create that loses a race finds the winner's stream on its next look.
"""

import dataclasses

import structlog
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError
from nats.js.manager import JetStreamManager

from common.retention.streams import DEFAULT_MAX_AGE_DAYS, max_age_seconds
from contracts.subjects import (
    DELIVERY_STREAM,
    DELIVERY_SUBJECTS,
    DLQ_STREAM,
    DLQ_SUBJECTS,
    PLAN_STREAM,
    PLAN_SUBJECTS,
)

log = structlog.stdlib.get_logger(__name__)

# A republished message with the same Nats-Msg-Id inside this window is stored once. It
# must outlast the relay's longest retry of one message: at least 2 minutes (see
# docs/architecture.md).
DUPLICATE_WINDOW_SECONDS = 300.0

# The fields the code decides. Others (say, an operator's max_bytes) are left as they are.
OWNED_FIELDS = (
    "description",
    "subjects",
    "retention",
    "storage",
    "discard",
    "duplicate_window",
    "max_age",
    "num_replicas",
)

STREAM_NAME_IN_USE = 10058  # JetStream: "stream name already in use with a different config"
ENSURE_ATTEMPTS = 3


class StreamConfigError(RuntimeError):
    """A stream could not be made to match the code's definition."""


def stream_configs(
    replicas: int = 1, max_age_days: int = DEFAULT_MAX_AGE_DAYS
) -> list[StreamConfig]:
    """Every stream the planner ensures. ``replicas`` is 3 on a 3-node JetStream cluster;
    a message is dropped ``max_age_days`` after it was stored (``common.retention.streams``)."""
    age = max_age_seconds(max_age_days)
    return [
        _limits_stream(
            PLAN_STREAM, PLAN_SUBJECTS, "Planner events by plan and type", replicas, age
        ),
        _limits_stream(
            DELIVERY_STREAM, DELIVERY_SUBJECTS, "Notifier delivery events", replicas, age
        ),
        _limits_stream(
            DLQ_STREAM, DLQ_SUBJECTS, "Dead letters, each with its reason", replicas, age
        ),
    ]


def _limits_stream(
    name: str, subjects: str, description: str, replicas: int, max_age: float
) -> StreamConfig:
    # Limits retention, never work-queue: replay and every consumer read the same messages,
    # and acknowledging a message must not delete it. The event store is the record, so a
    # message need not outlive max_age: what it says of a person leaves the broker with it.
    return StreamConfig(
        name=name,
        description=description,
        subjects=[subjects],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        discard=DiscardPolicy.OLD,
        duplicate_window=DUPLICATE_WINDOW_SECONDS,
        max_age=max_age,
        num_replicas=replicas,
    )


async def ensure_streams(
    jsm: JetStreamManager, replicas: int = 1, max_age_days: int = DEFAULT_MAX_AGE_DAYS
) -> None:
    """Create or update every stream of ``stream_configs``."""
    for config in stream_configs(replicas, max_age_days):
        await ensure_stream(jsm, config)


async def ensure_stream(jsm: JetStreamManager, wanted: StreamConfig) -> None:
    """Make the stream named by ``wanted`` exist with the fields of ``OWNED_FIELDS`` as given."""
    name = wanted.name
    if name is None:
        raise StreamConfigError("a stream config needs a name")
    for _ in range(ENSURE_ATTEMPTS):
        try:
            live = (await jsm.stream_info(name)).config
        except NotFoundError:
            if await _created(jsm, wanted):
                log.info("jetstream.stream_created", stream=name)
                return
            continue  # someone else created it first: compare with theirs
        drift = drifted_fields(live, wanted)
        if drift:
            # Update from the live config so the fields the code does not own survive.
            changes = {field: getattr(wanted, field) for field in drift}
            await jsm.update_stream(dataclasses.replace(live, **changes))
            log.info("jetstream.stream_updated", stream=name, fields=",".join(drift))
        return
    raise StreamConfigError(f"stream {name} kept changing while it was being ensured")


async def _created(jsm: JetStreamManager, wanted: StreamConfig) -> bool:
    """True when this call created the stream; False when a different one won the name."""
    try:
        await jsm.add_stream(wanted)
    except BadRequestError as error:
        if error.err_code != STREAM_NAME_IN_USE:
            raise
        return False
    return True


def drifted_fields(live: StreamConfig, wanted: StreamConfig) -> list[str]:
    """The owned fields whose live value differs from the code's (str enums equal strings)."""
    return [field for field in OWNED_FIELDS if getattr(live, field) != getattr(wanted, field)]
