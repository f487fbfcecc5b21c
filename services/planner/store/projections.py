"""The read models `tandem replay` can rebuild: name → tables, the events they follow, rows.

Each projection is one live table. A rebuild fills ``<name>__fresh`` (created ``LIKE`` the
live table, so columns and defaults follow the migrations), adds its keys after the bulk
load, and swaps it in: drop the live table, rename the fresh one and its keys to the
live names. The row functions are the ones the command handlers use inline
(:mod:`planner.store.read_models`), so a rebuilt row is the row a command writes.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from contracts.events import PlanEvent
from planner.store import read_models

Row = tuple[Any, ...]


class Recorded(Protocol):
    """What a projection reads of a stored event: an ``Envelope`` has it, as has a replay's
    lighter ``replay_pages.Replayed``."""

    @property
    def stream_id(self) -> UUID: ...
    @property
    def event_type(self) -> str: ...
    @property
    def recorded_at(self) -> datetime: ...
    @property
    def event(self) -> PlanEvent: ...


# The statements that differ per table: the keys a fresh table gets after its bulk load,
# and the swap that gives them their live names. The rest is written once, below, from a
# projection's table name and columns (identifiers only, never a value).

KEYS_FRESH_MEMBERS = """
ALTER TABLE plan_members__fresh
    ADD CONSTRAINT plan_members__fresh_pkey PRIMARY KEY (plan_id, participant_id);
CREATE INDEX plan_members__fresh_by_participant ON plan_members__fresh (participant_id)
"""
# Under the swap's lock, every event is in: a partner erased since joining is no member.
SWAP_MEMBERS = """
DELETE FROM plan_members__fresh AS m USING events AS e
WHERE e.stream_id = m.plan_id AND e.event_type = 'plan.participant_erased'
  AND e.payload ->> 'participant_id' = m.participant_id::text;
DROP TABLE plan_members;
ALTER TABLE plan_members__fresh RENAME TO plan_members;
ALTER TABLE plan_members RENAME CONSTRAINT plan_members__fresh_pkey TO plan_members_pkey;
ALTER INDEX plan_members__fresh_by_participant RENAME TO plan_members_by_participant
"""

KEYS_FRESH_INVITES = """
ALTER TABLE partner_invite_codes__fresh
    ADD CONSTRAINT partner_invite_codes__fresh_pkey PRIMARY KEY (code_sha256)
"""
SWAP_INVITES = """
DROP TABLE partner_invite_codes;
ALTER TABLE partner_invite_codes__fresh RENAME TO partner_invite_codes;
ALTER TABLE partner_invite_codes
    RENAME CONSTRAINT partner_invite_codes__fresh_pkey TO partner_invite_codes_pkey
"""


@dataclass(frozen=True)
class Projection:
    name: str
    """The live table, and the name `tandem replay` takes."""
    event_types: frozenset[str]
    """Only these events are read for it."""
    columns: tuple[str, ...]
    key_width: int
    """The primary key is the first ``key_width`` columns (a rebuild keeps the first row)."""
    rows: Callable[[Recorded], list[Row]]
    """The rows one event adds; applying an event twice adds nothing new."""
    keys_fresh: str
    swap: str

    @property
    def fresh_table(self) -> str:
        return f"{self.name}__fresh"

    @property
    def create_fresh(self) -> str:
        return (
            f"DROP TABLE IF EXISTS {self.fresh_table};\n"
            f"CREATE TABLE {self.fresh_table}"
            f" (LIKE {self.name} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        )

    @property
    def insert_fresh(self) -> str:
        return self._insert(self.fresh_table)

    @property
    def insert_live(self) -> str:
        return self._insert(self.name)

    @property
    def lock(self) -> str:
        return f"LOCK TABLE {self.name} IN ACCESS EXCLUSIVE MODE"

    def _insert(self, table: str) -> str:
        # A row already there is the same row (rows are keyed on what the event says).
        values = ", ".join(f"${n}" for n in range(1, len(self.columns) + 1))
        columns = ", ".join(self.columns)
        # S608: the table and the columns are this module's constants, never input.
        insert = f"INSERT INTO {table} ({columns}) VALUES ({values})"  # noqa: S608
        return insert + " ON CONFLICT DO NOTHING"


def member_rows(recorded: Recorded) -> list[Row]:
    member = read_models.member_joining(recorded.event)
    return [] if member is None else [(recorded.stream_id, member, recorded.recorded_at)]


def invite_rows(recorded: Recorded) -> list[Row]:
    invite = read_models.invite_code(recorded.event)
    return [] if invite is None else [(invite[0], recorded.stream_id, invite[1])]


PLAN_MEMBERS = Projection(
    name="plan_members",
    event_types=read_models.MEMBER_EVENTS,
    columns=("plan_id", "participant_id", "joined_at"),
    key_width=2,
    rows=member_rows,
    keys_fresh=KEYS_FRESH_MEMBERS,
    swap=SWAP_MEMBERS,
)

PARTNER_INVITE_CODES = Projection(
    name="partner_invite_codes",
    event_types=read_models.INVITE_EVENTS,
    columns=("code_sha256", "plan_id", "expires_at"),
    key_width=1,
    rows=invite_rows,
    keys_fresh=KEYS_FRESH_INVITES,
    swap=SWAP_INVITES,
)

# Registry order is lock order: every rebuild locks live tables in this order.
REGISTRY: dict[str, Projection] = {p.name: p for p in (PLAN_MEMBERS, PARTNER_INVITE_CODES)}


class UnknownProjection(ValueError):
    def __init__(self, names: list[str]) -> None:
        self.names = names
        super().__init__(f"unknown projection(s): {', '.join(names)}; known: {', '.join(REGISTRY)}")


def select(names: list[str]) -> list[Projection]:
    """The named projections in registry order; all of them when ``names`` is empty."""
    unknown = [name for name in names if name not in REGISTRY]
    if unknown:
        raise UnknownProjection(unknown)
    return [p for name, p in REGISTRY.items() if not names or name in names]
