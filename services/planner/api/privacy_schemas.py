"""Request and answer bodies about who may learn what: each partner's own disclosure choice,
and their private "do not involve" list."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from planner.api.schemas import Request, Versioned

Reason = Annotated[str, msgspec.Meta(max_length=500)]
Address = Annotated[str, msgspec.Meta(min_length=3, max_length=320)]


class DisclosureChange(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Set or change your own choice about one contact; ``alert`` must be said."""

    alert: bool
    share_signs: bool = False
    share_note: bool = False


class DisclosureSaved(Versioned, frozen=True, kw_only=True):
    contact_id: UUID
    participant_id: UUID
    alert: bool
    share_signs: bool
    share_note: bool


class DoNotInvolveIn(Request, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Someone who must never be told about you, by e-mail address or phone number. The
    reason is yours alone: nobody else, your partner included, ever reads it."""

    kind: Literal["email", "sms"]
    address: Address
    reason: Reason = ""


class DoNotInvolveEntry(msgspec.Struct, frozen=True, kw_only=True):
    entry_id: UUID
    kind: str
    address: str  # as compared: e-mail in lower case, phone in international form
    reason: str
    created_at: datetime


class DoNotInvolveList(msgspec.Struct, frozen=True, kw_only=True):
    entries: list[DoNotInvolveEntry]


class DoNotInvolveRemoved(msgspec.Struct, frozen=True, kw_only=True):
    entry_id: UUID
