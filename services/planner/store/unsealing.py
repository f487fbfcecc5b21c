"""Reading sealed payloads: every sealed field back in the clear, or "[erased]".

A sealed field is stored as ``{"sealed": "<base64url nonce+ciphertext>", "by": "<subject>"}``
in place of its string (a person's string is never an object, so nothing is ambiguous);
its authenticated data is the event id and the field's path. Readers open a batch of rows
at once: one query fetches the keys of every subject the batch names, and a subject
without a key (shredded) reads as ``ERASED``. Payloads without a sealed field (older
events, written before sealing, and events with nothing personal) pass through untouched.
"""

import base64
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
from asyncpg.pool import PoolConnectionProxy

from contracts.erasure_events import ERASED
from planner.domain.personal_fields import Path, path_text
from planner.store.data_keys import DataKey, unwrapped

Executor = asyncpg.Connection | PoolConnectionProxy | asyncpg.Pool

SEALED = "sealed"
BY = "by"
MARK = '"sealed"'  # only a payload with this text can hold a sealed field

READ_KEYS = """
SELECT subject_id, wrapped, kek_id FROM data_keys WHERE subject_id = ANY($1::uuid[])
"""
# A replay's keys: all of them, read once in the replay's own snapshot.
READ_ALL_KEYS = "SELECT subject_id, wrapped, kek_id FROM data_keys"


class Keys:
    """Subjects' keys as read (still wrapped), unwrapped on first use.

    A subject without a key reads as erased: shredded, or never given one.
    """

    def __init__(self, rows: Sequence[Any] = ()) -> None:
        self._wrapped: dict[UUID, tuple[bytes, bytes] | None] = {}
        self._keys: dict[UUID, DataKey | None] = {}
        self.add(rows)

    def add(self, rows: Sequence[Any]) -> None:
        """Keys from rows of ``data_keys`` (``subject_id``, ``wrapped``, ``kek_id``)."""
        for row in rows:
            wrapped = row["wrapped"]
            entry = None if wrapped is None else (bytes(row["kek_id"]), bytes(wrapped))
            self._wrapped[row["subject_id"]] = entry

    def __contains__(self, subject: UUID) -> bool:
        return subject in self._wrapped

    def get(self, subject: UUID) -> DataKey | None:
        if subject in self._keys:
            return self._keys[subject]
        entry = self._wrapped.get(subject)
        key = None if entry is None else unwrapped(entry[0], entry[1], subject)
        self._keys[subject] = key
        return key


def aad(event_id: UUID, path: Path) -> bytes:
    """What a sealed field is bound to: its event and its place in it."""
    return event_id.bytes + path_text(path).encode()


def sealed_value(key: DataKey, subject: UUID, event_id: UUID, path: Path, text: str) -> Any:
    """``text`` sealed under ``key``, in its stored form."""
    token = key.seal(text, aad(event_id, path))
    return {SEALED: base64.urlsafe_b64encode(token).decode(), BY: str(subject)}


def _is_sealed(value: object) -> bool:
    return isinstance(value, dict) and value.keys() == {SEALED, BY}


class _Slot(msgspec.Struct, frozen=True):
    """One sealed field found in a decoded payload: where it is, and what it holds."""

    holder: Any  # the dict or list holding it
    place: str | int
    path: Path
    by: UUID
    token: str


def _find(value: Any, path: Path, found: list[_Slot]) -> None:
    items: Any = value.items() if isinstance(value, dict) else enumerate(value)
    for place, inner in items:
        if _is_sealed(inner):
            found.append(_Slot(value, place, (*path, place), UUID(inner[BY]), inner[SEALED]))
        elif isinstance(inner, dict | list):
            _find(inner, (*path, place), found)


class _Payload(msgspec.Struct):
    event_id: UUID
    decoded: Any
    slots: list[_Slot]


def _parsed(event_id: UUID, payload: str) -> _Payload | None:
    """The payload's sealed fields, or None when it has none (the common, fast case)."""
    if MARK not in payload:
        return None
    decoded = msgspec.json.decode(payload)
    slots: list[_Slot] = []
    _find(decoded, (), slots)
    return _Payload(event_id, decoded, slots) if slots else None


def _opened(parsed: _Payload, key_of: Callable[[UUID], DataKey | None]) -> str:
    """The payload with each sealed field opened by its subject's key, or ``ERASED``."""
    for slot in parsed.slots:
        key = key_of(slot.by)
        text = ERASED
        if key is not None:
            token = base64.urlsafe_b64decode(slot.token)
            text = key.open(token, aad(parsed.event_id, slot.path))
        slot.holder[slot.place] = text
    return msgspec.json.encode(parsed.decoded).decode()


async def read_keys(conn: Executor, subjects: Sequence[UUID] | None) -> Keys:
    """The keys of ``subjects`` (None: of every subject, for a replay)."""
    if subjects is None:
        return Keys(await conn.fetch(READ_ALL_KEYS))
    if not subjects:
        return Keys()
    return Keys(await conn.fetch(READ_KEYS, list(subjects)))


def _parsed_rows(rows: Sequence[Any]) -> list[tuple[int, _Payload]]:
    """The rows (by index) with sealed fields, those fields found."""
    found = ((i, _parsed(row["event_id"], row["payload"])) for i, row in enumerate(rows))
    return [(i, parsed) for i, parsed in found if parsed is not None]


def subjects_of(rows: Sequence[Any]) -> list[UUID]:
    """Every subject whose key seals a field of ``rows``."""
    return sorted({slot.by for _, parsed in _parsed_rows(rows) for slot in parsed.slots})


async def opened(conn: Executor, rows: Sequence[Any]) -> list[str]:
    """The payloads of ``rows`` (with ``event_id`` and ``payload``) with every field open."""
    payloads: list[str] = [row["payload"] for row in rows]
    parsed = _parsed_rows(rows)
    if not parsed:
        return payloads
    keys = await read_keys(conn, sorted({slot.by for _, p in parsed for slot in p.slots}))
    for index, payload in parsed:
        payloads[index] = _opened(payload, keys.get)
    return payloads


def opened_with(keys: Keys, event_id: UUID, payload: str) -> str:
    """``payload`` opened with keys already read (a replay's)."""
    parsed = _parsed(event_id, payload)
    return payload if parsed is None else _opened(parsed, keys.get)


def erased(event_id: UUID, payload: str) -> str:
    """``payload`` with every sealed field as ``ERASED``: its shape, for checks without keys."""
    parsed = _parsed(event_id, payload)
    return payload if parsed is None else _opened(parsed, lambda _: None)
