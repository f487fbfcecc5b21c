"""New identifiers: every id in Tandem is a UUIDv7 (time-ordered, unguessable enough)."""

from uuid import UUID

import uuid_utils


def new_id() -> UUID:
    return UUID(bytes=uuid_utils.uuid7().bytes)
