"""One line of ``tandem events export``: an event as the store holds it, with its hash.

The file is NDJSON, one ``ExportLine`` per line, keys sorted, in position order. The
payload and metadata are the stored ones (the shape of the schema version recorded; with
``--upcast``, the current shape, for reading only), so a backup restores byte for byte and
its hash chain still verifies. ``tandem events import``
reads lines with this same type. Its JSON Schema is committed as
``contracts/schema/export_line.json``.
"""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import Meta

TAG = r"^[a-z_]+\.[a-z_]+$"
HEX_DIGEST = "^[0-9a-f]{64}$"
HASH = "its link in the plan's hash chain, HMAC-SHA256 in hex; null before the chain began"


class ExportLine(msgspec.Struct, frozen=True, kw_only=True):
    """An event of the store, exported."""

    position: Annotated[int, Meta(ge=1, description="its place in the store's global order")]
    stream_id: Annotated[UUID, Meta(description="the plan it belongs to")]
    stream_version: Annotated[int, Meta(ge=1, description="its place in the plan's stream")]
    event_id: UUID
    event_type: Annotated[str, Meta(pattern=TAG, description="its tag, e.g. plan.activated")]
    schema_version: Annotated[int, Meta(ge=1, description="the version of the payload's shape")]
    recorded_at: Annotated[datetime, Meta(tz=True, description="when the store recorded it")]
    payload: Annotated[dict[str, Any], Meta(description="its fields as stored: plan_event.json")]
    metadata: Annotated[dict[str, Any], Meta(description="actor, correlation_id, causation_id")]
    hash: Annotated[str, Meta(pattern=HEX_DIGEST, description=HASH)] | None


ENCODER = msgspec.json.Encoder(order="sorted")
DECODER = msgspec.json.Decoder(ExportLine)


def encode_line(line: ExportLine) -> bytes:
    """``line`` as one line of the file, ending in a newline: keys sorted, no spaces."""
    return ENCODER.encode(line) + b"\n"
