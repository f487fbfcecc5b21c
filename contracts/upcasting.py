"""Stored events in older shapes, read as the current one.

Every stored event records the schema version of its type when it was written. On read,
an event older than its type's current version goes through the upcasters of each version
step, as plain JSON, before it is decoded into the contract Struct; the stored row is never
changed (the store is append-only and its hash chain covers the stored bytes).

To change an event incompatibly: add the field or shape to the Struct, raise the type's
version in ``CURRENT_VERSIONS``, and register an upcaster from the previous version.
"""

from collections.abc import Callable
from typing import Any

import msgspec

from contracts.events import SCHEMA_VERSION, PlanEvent, decoder

Payload = dict[str, Any]
Upcaster = Callable[[Payload], Payload]

CURRENT_VERSIONS: dict[str, int] = {
    "plan.warning_sign_added": 2,
}


def current_version(event_type: str) -> int:
    """The schema version this release writes for an event type."""
    return CURRENT_VERSIONS.get(event_type, SCHEMA_VERSION)


def _sign_gains_level(payload: Payload) -> Payload:
    # Before signs had levels, every sign was a sign to watch.
    return {**payload, "level": payload.get("level", "watch")}


UPCASTERS: dict[tuple[str, int], Upcaster] = {
    ("plan.warning_sign_added", 1): _sign_gains_level,
}


class UnknownVersion(msgspec.DecodeError):
    """A stored version this release cannot read: newer than it knows, or no upcaster."""


def upcast(event_type: str, version: int, payload: Payload) -> Payload:
    """``payload`` (of ``version``) in the shape of the type's current version."""
    target = current_version(event_type)
    if version > target:
        raise UnknownVersion(f"{event_type} v{version} is newer than this release (v{target})")
    while version < target:
        step = UPCASTERS.get((event_type, version))
        if step is None:
            raise UnknownVersion(f"no upcaster for {event_type} v{version}")
        payload = step(payload)
        version += 1
    return payload


def decode_stored(event_type: str, version: int, payload: bytes | str) -> PlanEvent:
    """A stored event's payload as the current contract Struct.

    Current versions (nearly every event) take the fast path straight into the Struct.
    Raises ``msgspec.ValidationError``/``DecodeError`` or ``UnknownVersion``.
    """
    if version == current_version(event_type):
        return decoder.decode(payload)
    raw: Payload = msgspec.json.decode(payload)
    return decoder.decode(msgspec.json.encode(upcast(event_type, version, raw)))
