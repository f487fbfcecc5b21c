"""The hash chain over each stream: what an event's hash covers, and how it is keyed.

hash(event n) = HMAC-SHA256(key, canonical JSON of [hash(event n-1) or null, stream,
version, event id, type, schema version, recorded_at, payload, metadata]). Payload and
metadata are canonicalised (keys sorted, no spaces), so the hash is the same whether it is
computed from the bytes the planner encoded or from the jsonb text PostgreSQL returns.
The key is derived from the service secret and never stored in the database.
"""

import hashlib
import hmac
from datetime import UTC, datetime
from uuid import UUID

import msgspec

KEY_CONTEXT = b"tandem/event-chain/v1"


def chain_key(secret_key: bytes) -> bytes:
    """The chain's HMAC key, derived from the service secret (TANDEM_SECRET_KEY)."""
    if not secret_key:
        raise ValueError("the event hash chain needs the service secret (TANDEM_SECRET_KEY)")
    return hmac.new(secret_key, KEY_CONTEXT, hashlib.sha256).digest()


def instant(at: datetime) -> str:
    """``at`` as the chain writes it: UTC, microseconds, e.g. 2026-11-23T18:00:00.000001Z."""
    if at.utcoffset() is None:
        raise ValueError("a recorded time must be timezone-aware")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(
    key: bytes,
    previous: bytes | None,
    *,
    stream_id: UUID,
    stream_version: int,
    event_id: UUID,
    event_type: str,
    schema_version: int,
    recorded_at: datetime,
    payload: bytes | str,
    metadata: bytes | str,
) -> bytes:
    content = msgspec.json.encode(
        [
            None if previous is None else previous.hex(),
            str(stream_id),
            stream_version,
            str(event_id),
            event_type,
            schema_version,
            instant(recorded_at),
            msgspec.json.decode(payload),
            msgspec.json.decode(metadata),
        ],
        order="sorted",
    )
    return hmac.new(key, content, hashlib.sha256).digest()


class Link(msgspec.Struct, frozen=True, kw_only=True):
    """One event of a batch, as the chain sees it."""

    event_id: UUID
    event_type: str
    schema_version: int
    payload: str


def link_batch(
    key: bytes,
    previous: bytes | None,
    stream_id: UUID,
    after_version: int,
    links: list[Link],
    recorded_at: datetime,
    metadata: str,
) -> list[bytes]:
    """The hashes of events appended together after ``after_version``, each over the last."""
    hashes: list[bytes] = []
    for offset, link in enumerate(links, start=1):
        previous = event_hash(
            key,
            previous,
            stream_id=stream_id,
            stream_version=after_version + offset,
            event_id=link.event_id,
            event_type=link.event_type,
            schema_version=link.schema_version,
            recorded_at=recorded_at,
            payload=link.payload,
            metadata=metadata,
        )
        hashes.append(previous)
    return hashes
