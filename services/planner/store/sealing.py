"""Sealing personal fields before they are stored, and shredding a person's key.

On append, each event's personal fields (``planner.domain.personal_fields``) are encrypted
with their subject's data key (``data_keys``), made on first need in the same transaction;
the stored payload then holds ``{"sealed": …, "by": subject}`` in place of each string
(``unsealing`` reads them back). The hash chain covers these stored bytes, so it verifies
whatever later happens to the keys. ``shred`` deletes a subject's key for good: their
fields read as ``ERASED`` from then on, and a later event about them stores ``ERASED``,
never their plaintext.
"""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import msgspec

from contracts import erasure_events
from contracts import events as catalogue
from contracts.envelope import Metadata
from contracts.events import WarningSignAdded, WarningSignRevised
from planner.domain import personal_fields
from planner.domain.personal_fields import PersonalField, Whose
from planner.store import data_keys
from planner.store.event_store import Connection, NewEvent
from planner.store.unsealing import READ_KEYS, Keys, sealed_value

ERASED = erasure_events.ERASED  # what a shredded subject's fields read as

# Make the keys that are missing (a tombstone's row stays: no new key for it, ever), and
# read every key asked for. The outer SELECT sees the table as the statement began, so a
# key made by a transaction that committed since then is read again (``_missing``).
ENSURE_KEYS = """
WITH made AS (
    INSERT INTO data_keys (subject_id, wrapped, kek_id)
    SELECT n.subject_id, n.wrapped, $3::bytea
    FROM unnest($1::uuid[], $2::bytea[]) AS n(subject_id, wrapped)
    ORDER BY n.subject_id
    ON CONFLICT (subject_id) DO NOTHING
    RETURNING subject_id, wrapped, kek_id
)
SELECT subject_id, wrapped, kek_id FROM made
UNION ALL
SELECT subject_id, wrapped, kek_id FROM data_keys WHERE subject_id = ANY($1::uuid[])
"""

SHRED = """
INSERT INTO data_keys (subject_id, wrapped, kek_id, shredded_at) VALUES ($1, NULL, NULL, now())
ON CONFLICT (subject_id) DO UPDATE
SET wrapped = NULL, kek_id = NULL, shredded_at = coalesce(data_keys.shredded_at, now())
"""

# Whose signs are revised: the owner named when each was added (ids are never sealed).
SIGN_OWNERS = """
SELECT (payload->>'sign_id')::uuid AS sign_id, (payload->>'owner_id')::uuid AS owner_id
FROM events
WHERE stream_id = $1 AND event_type = 'plan.warning_sign_added'
  AND payload->>'sign_id' = ANY($2::text[])
"""


async def shred(conn: Connection, subject_id: UUID) -> None:
    """Delete ``subject_id``'s data key and leave a tombstone: nothing of theirs opens again,
    and no key is ever made for them again. Shredding twice changes nothing."""
    await conn.execute(SHRED, subject_id)


async def sealed_payloads(
    conn: Connection,
    stream_id: UUID,
    events: Sequence[NewEvent],
    metadata: Metadata,
    chain_key: bytes,
) -> list[str]:
    """Each event's payload as it is stored: its personal fields sealed, or ``ERASED``."""
    whose = Whose(stream_id, metadata.actor, await _sign_owners(conn, stream_id, events))
    payloads: list[str] = []
    todo: list[tuple[int, Any, list[PersonalField]]] = []
    for new in events:
        encoded = catalogue.encode(new.event)
        fields = personal_fields.personal_fields(new.event, whose)
        if fields:
            decoded = msgspec.json.decode(encoded)
            fields = [f for f in fields if _at(decoded, f.path)]  # "" tells nothing
            if fields:
                todo.append((len(payloads), decoded, fields))
        payloads.append(encoded.decode())
    if not todo:
        return payloads
    subjects = sorted({field.subject for _, _, fields in todo for field in fields})
    keys = await _ensure_keys(conn, subjects, data_keys.KEYRING.learn(chain_key))
    for index, decoded, fields in todo:
        event_id = events[index].event_id
        for field in fields:
            *parents, last = field.path
            holder = _at(decoded, parents)
            key = keys.get(field.subject)
            holder[last] = (
                ERASED
                if key is None
                else sealed_value(key, field.subject, event_id, field.path, holder[last])
            )
        payloads[index] = msgspec.json.encode(decoded).decode()
    return payloads


def _at(decoded: Any, path: Sequence[str | int]) -> Any:
    for part in path:
        decoded = decoded[part]
    return decoded


async def _sign_owners(
    conn: Connection, stream_id: UUID, events: Sequence[NewEvent]
) -> dict[UUID, UUID]:
    revised = [str(n.event.sign_id) for n in events if isinstance(n.event, WarningSignRevised)]
    if not revised:
        return {}
    rows = await conn.fetch(SIGN_OWNERS, stream_id, revised)
    owners: dict[UUID, UUID] = {row["sign_id"]: row["owner_id"] for row in rows}
    for new in events:  # a sign added in this very batch
        if isinstance(new.event, WarningSignAdded):
            owners[new.event.sign_id] = new.event.owner_id
    return owners


async def _ensure_keys(conn: Connection, subjects: list[UUID], kek: data_keys.Kek) -> Keys:
    wrapped = [data_keys.new_wrapped(kek, subject) for subject in subjects]
    keys = Keys(await conn.fetch(ENSURE_KEYS, subjects, wrapped, kek.kek_id))
    missing = [subject for subject in subjects if subject not in keys]
    if missing:  # made by a transaction that committed while this statement ran
        keys.add(await conn.fetch(READ_KEYS, missing))
    return keys
