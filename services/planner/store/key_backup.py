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
SELECT subject_id, key_id, kek_id, wrapped, created_at, NULL::timestamptz AS shredded_at
FROM data_keys WHERE subject_id = ANY($1::uuid[])
UNION ALL
SELECT subject_id, NULL, NULL, NULL, NULL, shredded_at
FROM data_key_tombstones WHERE subject_id = ANY($1::uuid[])
ORDER BY subject_id, key_id
"""

RESTORE_KEYS = """
INSERT INTO data_keys (key_id, subject_id, kek_id, wrapped, created_at)
SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::bytea[], $4::bytea[], $5::timestamptz[])
ON CONFLICT (key_id) DO NOTHING
"""
RESTORE_TOMBSTONES = """
INSERT INTO data_key_tombstones (subject_id, shredded_at)
SELECT * FROM unnest($1::uuid[], $2::timestamptz[])
ON CONFLICT (subject_id) DO NOTHING
"""


class KeyLine(msgspec.Struct, frozen=True, kw_only=True):
    """One of a subject's data keys as stored, wrapped (hex); or, with ``shredded_at`` and
    nothing else, the subject's tombstone."""

    subject_id: UUID
    key_id: int | None = None
    kek_id: str | None = None
    wrapped: str | None = None
    created_at: datetime | None = None
    shredded_at: datetime | None = None


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
                key_id=row["key_id"],
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
        complete = None not in (key.key_id, key.kek_id, key.wrapped, key.created_at)
        if key.shredded_at is None and not complete:
            raise KeyFileError(
                f"keys line {number}: a key needs key_id, kek_id, wrapped, created_at"
            )
        parsed.append(key)
    return parsed


async def restore_keys(conn: Connection, lines: list[KeyLine]) -> None:
    """Insert the keys and tombstones; what the database already holds stays as it is."""
    keys = [k for k in lines if k.shredded_at is None]
    tombstones = [k for k in lines if k.shredded_at is not None]

    def raw(text: str | None) -> bytes | None:
        return None if text is None else bytes.fromhex(text)

    await conn.execute(
        RESTORE_KEYS,
        [k.key_id for k in keys],
        [k.subject_id for k in keys],
        [raw(k.kek_id) for k in keys],
        [raw(k.wrapped) for k in keys],
        [k.created_at for k in keys],
    )
    await conn.execute(
        RESTORE_TOMBSTONES, [k.subject_id for k in tombstones], [k.shredded_at for k in tombstones]
    )
