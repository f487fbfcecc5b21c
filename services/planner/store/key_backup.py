"""The data keys that go with an events backup (``tandem events export --keys FILE``).

An export holds the payloads as stored, their personal fields sealed; restored without
their keys they would read as erased. The keys file holds, for every subject an export's
events were sealed for, its key as stored: wrapped under the key-encryption key derived
from the service secret (so the file opens nothing without that secret), or its tombstone
when the subject was shredded (an erased person stays erased after a restore). NDJSON, one
``KeyLine`` per line, keys sorted.
"""

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

import msgspec

from planner.store.event_store import Connection

KEYS_OF = """
SELECT subject_id, kek_id, wrapped, created_at, shredded_at FROM data_keys
WHERE subject_id = ANY($1::uuid[]) ORDER BY subject_id
"""

RESTORE = """
INSERT INTO data_keys (subject_id, kek_id, wrapped, created_at, shredded_at)
SELECT * FROM unnest($1::uuid[], $2::bytea[], $3::bytea[], $4::timestamptz[], $5::timestamptz[])
ON CONFLICT (subject_id) DO NOTHING
"""


class KeyLine(msgspec.Struct, frozen=True, kw_only=True):
    """A subject's data key as stored: wrapped (hex), or None once shredded."""

    subject_id: UUID
    kek_id: str | None
    wrapped: str | None
    created_at: datetime
    shredded_at: datetime | None


_encoder = msgspec.json.Encoder(order="sorted")
_decoder = msgspec.json.Decoder(KeyLine)


class KeyFileError(ValueError):
    """A keys file that cannot be read; the message says where."""


async def export_keys(conn: Connection, subjects: Iterable[UUID]) -> list[bytes]:
    """The lines of the keys of ``subjects`` (each ending in a newline)."""
    rows = await conn.fetch(KEYS_OF, sorted(subjects))
    return [
        _encoder.encode(
            KeyLine(
                subject_id=row["subject_id"],
                kek_id=None if row["kek_id"] is None else bytes(row["kek_id"]).hex(),
                wrapped=None if row["wrapped"] is None else bytes(row["wrapped"]).hex(),
                created_at=row["created_at"],
                shredded_at=row["shredded_at"],
            )
        )
        + b"\n"
        for row in rows
    ]


def parse_keys(lines: Iterable[bytes]) -> list[KeyLine]:
    parsed: list[KeyLine] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            key = _decoder.decode(line)
            for text in (key.kek_id, key.wrapped):
                if text is not None:
                    bytes.fromhex(text)
        except (msgspec.DecodeError, ValueError) as exc:
            raise KeyFileError(f"keys line {number}: {exc}") from exc
        parsed.append(key)
    return parsed


async def restore_keys(conn: Connection, keys: list[KeyLine]) -> None:
    """Insert the keys; a subject that already has a key (or a tombstone) keeps its own."""

    def raw(text: str | None) -> bytes | None:
        return None if text is None else bytes.fromhex(text)

    await conn.execute(
        RESTORE,
        [k.subject_id for k in keys],
        [raw(k.kek_id) for k in keys],
        [raw(k.wrapped) for k in keys],
        [k.created_at for k in keys],
        [k.shredded_at for k in keys],
    )
