"""Sealing personal fields before they are stored, and shredding a person's key.

On append, each event's personal fields (``planner.domain.personal_fields``) are encrypted
with their subject's data key (``data_keys``), made on first need in the same transaction;
the stored payload then holds ``{"sealed": …, "by": subject}`` in place of each string
(``unsealing`` reads them back). The hash chain covers these stored bytes, so it verifies
whatever later happens to the keys. ``shred`` deletes a subject's key for good: their
fields read as ``ERASED`` from then on, and a later event about them stores ``ERASED``,
never their plaintext.
"""

import contextlib
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any
from uuid import UUID

import msgspec

from contracts import erasure_events
from contracts import events as catalogue
from contracts.envelope import Metadata
from contracts.events import WarningSignAdded, WarningSignRevised
from planner.domain import personal_fields
from planner.domain.personal_fields import PersonalField, Whose
from planner.store import data_keys, unsealing
from planner.store.event_store import Connection, NewEvent
from planner.store.unsealing import READ_KEYS, Keys, sealed_value

ERASED = erasure_events.ERASED  # what a shredded subject's fields read as

# A shred and the making of a key for the same subject exclude each other (the making ones
# share the lock): a key is made either before a shred, which then deletes it, or after,
# when the tombstone refuses it. The lock is a statement of its own, before the insert, so
# that the insert's snapshot (READ COMMITTED) sees a tombstone committed while it waited.
LOCK_MAKING = """
SELECT pg_advisory_xact_lock_shared(hashtextextended('tandem/data-key/' || s::text, 0))
FROM unnest($1::uuid[]) AS s
"""
LOCK_SHREDDING = """
SELECT pg_advisory_xact_lock(hashtextextended('tandem/data-key/' || $1::uuid::text, 0))
"""

MAKE_KEYS = """
INSERT INTO data_keys (key_id, subject_id, wrapped, kek_id)
SELECT n.key_id, n.subject_id, n.wrapped, $4::bytea
FROM unnest($1::bigint[], $2::uuid[], $3::bytea[]) AS n(key_id, subject_id, wrapped)
WHERE NOT EXISTS (SELECT FROM data_key_tombstones AS t WHERE t.subject_id = n.subject_id)
RETURNING subject_id, key_id, wrapped, kek_id, false AS shredded
"""

SHRED = """
WITH gone AS (DELETE FROM data_keys WHERE subject_id = $1)
INSERT INTO data_key_tombstones (subject_id) VALUES ($1) ON CONFLICT (subject_id) DO NOTHING
"""

STORED_EVENT = """
SELECT event_id, stream_id, event_type, payload::text AS payload FROM events WHERE event_id = $1
"""

# Whose signs are revised: the owner named when each was added (ids are never sealed).
SIGN_OWNERS = """
SELECT (payload->>'sign_id')::uuid AS sign_id, (payload->>'owner_id')::uuid AS owner_id
FROM events
WHERE stream_id = $1 AND event_type = 'plan.warning_sign_added'
  AND payload->>'sign_id' = ANY($2::text[])
"""


async def shred(conn: Connection, subject_id: UUID) -> None:
    """Delete ``subject_id``'s data keys and leave a tombstone: nothing of theirs opens again,
    and no key is ever made for them again. Shredding twice changes nothing."""
    async with _transaction(conn):
        await conn.execute(LOCK_SHREDDING, subject_id)
        await conn.execute(SHRED, subject_id)


def _transaction(conn: Connection) -> AbstractAsyncContextManager[object]:
    """The caller's transaction, or one of our own for statements that go together."""
    return contextlib.nullcontext() if conn.is_in_transaction() else conn.transaction()


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
            key = keys.sealing_key(field.subject)
            holder[last] = (
                ERASED
                if key is None
                else sealed_value(key, field.subject, event_id, field.path, holder[last])
            )
        payloads[index] = msgspec.json.encode(decoded).decode()
    return payloads


async def same_opened(
    conn: Connection, stream_id: UUID, stored: Any, events: Sequence[NewEvent]
) -> bool:
    """Whether the stored event (a row with its ``event_id``) is one of ``events`` once its
    sealed fields are opened: an append racing its own retry may have sealed a new person's
    fields under a key of its own, so the bytes differ while the content is the same."""
    new = next((n for n in events if n.event_id == stored["event_id"]), None)
    row = await conn.fetchrow(STORED_EVENT, stored["event_id"])
    if new is None or row is None or row["stream_id"] != stream_id:
        return False
    if row["event_type"] != catalogue.event_type(new.event):
        return False
    [opened] = await unsealing.opened(conn, [row])
    return bool(msgspec.json.decode(opened) == msgspec.json.decode(catalogue.encode(new.event)))


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
    """The subjects' keys, made for those who have none (a shredded subject gets none)."""
    keys = Keys(await conn.fetch(READ_KEYS, subjects))
    missing = [s for s in subjects if not keys.shredded(s) and keys.sealing_key(s) is None]
    if missing:
        ids = [data_keys.new_key_id() for _ in missing]
        wrapped = [data_keys.new_wrapped(kek, subject) for subject in missing]
        async with _transaction(conn):
            await conn.execute(LOCK_MAKING, missing)
            made = await conn.fetch(MAKE_KEYS, ids, missing, wrapped, kek.kek_id)
        keys.add(made)
        refused = {UUID(str(row["subject_id"])) for row in made} ^ set(missing)
        keys.add([_tombstone(subject) for subject in refused])  # shredded while we waited
    return keys


def _tombstone(subject: UUID) -> dict[str, object]:
    return {"subject_id": subject, "key_id": None, "shredded": True}
