"""The rows outside the events that hold an erased person's text, and their removal.

A participant's account goes entirely: name and channels, tokens, page sessions, used
sign-in links, their "do not involve" list, their plan memberships and the answers stored
for their Idempotency-Keys. Answers stored for anyone else's keys are removed when they
hold the person's id or text (``domain.erased_text``): a stored answer is a copy of the
plan or item as it was, and can name a partner or contact.

Someone else's "do not involve" entry for an erased contact's address is kept: it is that
partner's own list, and its purpose is that the address is never involved again.
"""

from collections.abc import Iterable
from uuid import UUID

import msgspec

from planner.store.event_store import Executor

ACCOUNT = """
SELECT display_name, channels::text AS channels FROM participants WHERE participant_id = $1
FOR UPDATE
"""
DELETE_ACCOUNT = (
    "DELETE FROM do_not_involve WHERE participant_id = $1",
    "DELETE FROM page_sessions WHERE participant_id = $1",
    "DELETE FROM used_sign_in_links WHERE participant_id = $1",
    "DELETE FROM participant_tokens WHERE participant_id = $1",
    "DELETE FROM plan_members WHERE participant_id = $1",
    "DELETE FROM participants WHERE participant_id = $1",
)
DELETE_OWN_ANSWERS = "DELETE FROM idempotency_keys WHERE principal = $1"
# Stored answers are JSON: a text appears in them as its JSON-encoded form.
DELETE_ANSWERS_HOLDING = """
DELETE FROM idempotency_keys
WHERE EXISTS (SELECT 1 FROM unnest($1::bytea[]) AS t (needle) WHERE position(needle IN body) > 0)
"""

ACCOUNT_TABLES = (
    "do_not_involve",
    "page_sessions",
    "used_sign_in_links",
    "participant_tokens",
    "plan_members",
    "participants",
)
ANSWER_TABLES = ("idempotency_keys",)


class _Channel(msgspec.Struct):
    address: str


_channels = msgspec.json.Decoder(list[_Channel])


class UnknownPerson(LookupError):
    """No participant or support contact with this id."""


async def account_text(conn: Executor, participant_id: UUID) -> set[str]:
    """The account's name and addresses, its row locked until the transaction ends."""
    row = await conn.fetchrow(ACCOUNT, participant_id)
    if row is None:
        raise UnknownPerson(f"no participant {participant_id}")
    addresses = {c.address for c in _channels.decode(row["channels"])}
    return {row["display_name"], *addresses}


async def remove_account(conn: Executor, participant_id: UUID) -> None:
    for statement in DELETE_ACCOUNT:
        await conn.execute(statement, participant_id)
    await conn.execute(DELETE_OWN_ANSWERS, f"participant:{participant_id}")


async def remove_answers_holding(conn: Executor, person: UUID, texts: Iterable[str]) -> None:
    needles = [str(person).encode(), *(msgspec.json.encode(t)[1:-1] for t in texts if t)]
    await conn.execute(DELETE_ANSWERS_HOLDING, needles)
