"""Reading sealed payloads: every sealed field back in the clear, or "[erased]".

A sealed field is stored as ``{"sealed": "<base64url nonce+ciphertext>", "by": "<subject>"}``
in place of its string (a person's string is never an object, so nothing is ambiguous);
its authenticated data is the event id and the field's path. Readers open a batch of rows
at once: one query fetches the keys of every subject the batch names, and a subject
without a key (shredded) reads as ``ERASED``. Payloads without a sealed field (older
events, written before sealing, and events with nothing personal) pass through untouched.
"""

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple
from uuid import UUID

import asyncpg
import msgspec
from asyncpg.pool import PoolConnectionProxy

from contracts.erasure_events import ERASED
from planner.domain.personal_fields import WITHHELD, Path, path_text
from planner.store.data_keys import DataKey, unwrapped

Executor = asyncpg.Connection | PoolConnectionProxy | asyncpg.Pool

SEALED = "sealed"
BY = "by"
MARK = '"sealed"'  # only a payload with this text can hold a sealed field
SEALED_SIZE = 2  # a sealed field's object has these two keys, and no other

# Every key of the subjects asked for, and whether each was shredded (one row per key; a
# subject without a key has one row with a NULL key).
READ_KEYS = """
SELECT s.subject_id, k.key_id, k.wrapped, k.kek_id,
       EXISTS (SELECT FROM data_key_tombstones AS t WHERE t.subject_id = s.subject_id)
           AS shredded
FROM unnest($1::uuid[]) AS s(subject_id)
LEFT JOIN data_keys AS k ON k.subject_id = s.subject_id
"""
# A replay's keys: all of them, read once in the replay's own snapshot.
READ_ALL_KEYS = """
SELECT k.subject_id, k.key_id, k.wrapped, k.kek_id, false AS shredded FROM data_keys AS k
WHERE NOT EXISTS (SELECT FROM data_key_tombstones AS t WHERE t.subject_id = k.subject_id)
"""
KEY_ID_BYTES = 8  # a sealed value starts with the id of the key that sealed it


class Keys:
    """Subjects' keys as read (still wrapped), unwrapped on first use, by the subject's id
    as a sealed field names it (its text). A shredded subject, or a key not read, opens
    nothing: its fields read as erased."""

    def __init__(self, rows: Sequence[Any] = ()) -> None:
        self._wrapped: dict[int, tuple[bytes, bytes, UUID]] = {}
        self._of: dict[str, list[int]] = {}  # a subject's key ids, lowest first
        self._owner: dict[int, str] = {}
        self._shredded: set[str] = set()
        self._keys: dict[int, DataKey] = {}
        self.add(rows)

    def add(self, rows: Sequence[Any]) -> None:
        """Rows of ``READ_KEYS``: subject_id, key_id, wrapped, kek_id, shredded."""
        for row in rows:
            subject = UUID(str(row["subject_id"]))
            text = str(subject)
            if row["shredded"]:
                self._shredded.add(text)
            ids = self._of.setdefault(text, [])
            if row["key_id"] is not None:
                self._wrapped[row["key_id"]] = (
                    bytes(row["kek_id"]),
                    bytes(row["wrapped"]),
                    subject,
                )
                ids.append(row["key_id"])
                self._owner[row["key_id"]] = text
                ids.sort()

    def shredded(self, subject: UUID) -> bool:
        return str(subject) in self._shredded

    def sealing_key(self, subject: UUID) -> tuple[int, DataKey] | None:
        """The key new fields of ``subject`` are sealed with (the lowest id: every append
        picks the same one), or None when they have none."""
        ids = self._of.get(str(subject))
        if not ids or self.shredded(subject):
            return None
        key = self.get(str(subject), ids[0])
        return None if key is None else (ids[0], key)

    def get(self, subject: str, key_id: int) -> DataKey | None:
        """The key ``key_id`` of ``subject`` (as text), None when it is not theirs to use."""
        if self._owner.get(key_id) != subject or subject in self._shredded:
            return None
        key = self._keys.get(key_id)
        if key is None:
            key = self._keys[key_id] = unwrapped(*self._wrapped[key_id])
        return key


def aad(event_id: UUID, path: Path) -> bytes:
    """What a sealed field is bound to: its event and its place in it."""
    return event_id.bytes + path_text(path).encode()


def _unb64(text: str) -> bytes:
    # base64url, translated for binascii's standard alphabet (base64's own is much slower).
    return binascii.a2b_base64(text.replace("-", "+").replace("_", "/"))


def sealed_value(
    key: tuple[int, DataKey], subject: UUID, event_id: UUID, path: Path, text: str
) -> Any:
    """``text`` sealed under ``key`` (its id and itself), in its stored form."""
    key_id, data_key = key
    token = key_id.to_bytes(KEY_ID_BYTES, "big") + data_key.seal(text, aad(event_id, path))
    return {SEALED: base64.urlsafe_b64encode(token).decode(), BY: str(subject)}


class _Slot(NamedTuple):
    """One sealed field found in a decoded payload: where it is, and what it holds."""

    holder: Any  # the dict or list holding it
    place: str | int
    path: Path
    by: str  # the subject's id, as stored
    token: str


def _find(value: Any, path: Path, found: list[_Slot]) -> None:
    # Exact types: a decoded payload holds only JSON's own dicts and lists (and it is faster).
    items: Any = value.items() if type(value) is dict else enumerate(value)
    for place, inner in items:
        kind = type(inner)
        if kind is dict:
            if len(inner) == SEALED_SIZE and SEALED in inner and BY in inner:
                found.append(_Slot(value, place, (*path, place), inner[BY], inner[SEALED]))
            else:
                _find(inner, (*path, place), found)
        elif kind is list:
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


def _opened(parsed: _Payload, key_of: Callable[[str, int], DataKey | None]) -> str:
    """The payload with each sealed field opened by its subject's key, or ``ERASED``."""
    for slot in parsed.slots:
        token = _unb64(slot.token)
        key = key_of(slot.by, int.from_bytes(token[:KEY_ID_BYTES], "big"))
        text = ERASED
        if key is not None:
            text = key.open(token[KEY_ID_BYTES:], aad(parsed.event_id, slot.path))
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


def _subjects(parsed: list[tuple[int, _Payload]]) -> list[UUID]:
    return sorted({UUID(by) for by in {slot.by for _, p in parsed for slot in p.slots}})


def subjects_of(rows: Sequence[Any]) -> list[UUID]:
    """Every subject whose key seals a field of ``rows``."""
    return _subjects(_parsed_rows(rows))


Withheld = Callable[[str, Path], bool]  # (event type, path): leave this field closed?


async def opened(
    conn: Executor, rows: Sequence[Any], *, withheld: Withheld | None = None
) -> list[str]:
    """The payloads of ``rows`` (with ``event_id`` and ``payload``) with every field open;
    with ``withheld`` (rows with ``event_type`` too), the fields it names read ``WITHHELD``."""
    payloads: list[str] = [row["payload"] for row in rows]
    parsed = _parsed_rows(rows)
    if withheld is not None:
        for index, payload in parsed:
            kind = rows[index]["event_type"]
            payload.slots = [s for s in payload.slots if not _withhold(s, kind, withheld)]
    if not parsed:
        return payloads
    keys = await read_keys(conn, _subjects(parsed))
    for index, payload in parsed:
        payloads[index] = _opened(payload, keys.get)
    return payloads


def _withhold(slot: _Slot, event_type: str, withheld: Withheld) -> bool:
    """Put ``WITHHELD`` in the slot if ``withheld`` says so; whether it did."""
    if not withheld(event_type, slot.path):
        return False
    slot.holder[slot.place] = WITHHELD
    return True


def opened_with(keys: Keys, event_id: UUID, payload: str) -> str:
    """``payload`` opened with keys already read (a replay's)."""
    parsed = _parsed(event_id, payload)
    return payload if parsed is None else _opened(parsed, keys.get)


def erased(event_id: UUID, payload: str) -> str:
    """``payload`` with every sealed field as ``ERASED``: its shape, for checks without keys."""
    parsed = _parsed(event_id, payload)
    return payload if parsed is None else _opened(parsed, lambda _subject, _key: None)
