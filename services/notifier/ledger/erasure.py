"""Erasing a person from the ledger: every row that holds their text is blanked.

Rows to the person lose their name, address and words; rows to others about the person
(the alerts, all-clears and notes of an activation they asked for, a note naming them as
the one who answered or could not be reached, any message whose words carry one of their
traces) lose their words. A claim not sent yet is skipped rather than sent blank: nobody is
told anything more about an erased person. Ids, statuses and times stay, so reports and the
activation's answers still add up. Everything is scoped to the plan the erasure is on, and
repeating it changes nothing (a redelivered erasure is harmless).

Blanked text stays on disk in the old row versions until the table is rewritten: ``compact``
runs ``VACUUM (FULL, ANALYZE)`` on the tables touched, then asks for a WAL switch and a
checkpoint so the WAL that held the text can go (best effort: the role may not be allowed).
"""

from collections.abc import Iterable
from uuid import UUID

import msgspec
import structlog

from common.retention import compaction as compaction_lock
from contracts.erasure_events import ERASED
from contracts.events import PlanActivated
from notifier.domain.erasure import scrub_activation, searchable, usable
from notifier.ledger.sessions import DATABASE_ERRORS, Connection

log = structlog.stdlib.get_logger(__name__)

# The person's own strings, as the ledger knows them: their name and addresses on what was
# sent to them, their signs, and (in Python) what the activations froze of them.
KNOWN_TRACES = """
SELECT recipient_name AS text FROM notifier.deliveries WHERE plan_id = $1 AND recipient_id = $2
UNION SELECT address FROM notifier.deliveries WHERE plan_id = $1 AND recipient_id = $2
UNION SELECT description FROM notifier.signs WHERE plan_id = $1 AND owner_id = $2
"""
PLAN_ACTIVATIONS = """
SELECT activation_id, snapshot::text AS snapshot FROM notifier.activations
WHERE plan_id = $1 ORDER BY activation_id FOR UPDATE
"""
SET_SNAPSHOT = """
UPDATE notifier.activations SET snapshot = $2::jsonb, updated_at = now() WHERE activation_id = $1
"""
# $3: the text an erased string reads as; $4: the traces, as written and as inside JSON.
BLANK_SIGNS = """
UPDATE notifier.signs SET description = $3
WHERE plan_id = $1 AND description <> $3
  AND (owner_id = $2 OR EXISTS (SELECT FROM unnest($4::text[]) AS t(s)
                                WHERE strpos(description, s) > 0))
"""
# Both blank a row's words. A claim still to be sent is skipped, for good; one sent or
# failed keeps how it ended. A row to the person also loses its claim key, which held their
# address: 'erased:' and the delivery id keep it unique.
BLANK_TO = """
UPDATE notifier.deliveries
SET recipient_name = $3, address = $3, subject = $3, body = $3, payload = '{}'::jsonb,
    claim_key = 'erased:' || delivery_id,
    status = CASE WHEN status = 'claimed' THEN 'skipped' ELSE status END,
    permanent = permanent OR status = 'claimed',
    finished_at = coalesce(finished_at, now()),
    lease_until = NULL, lease_holder = NULL, next_attempt_at = NULL,
    reason = CASE WHEN status = 'claimed' THEN 'erased' WHEN reason IS NULL THEN NULL ELSE $3 END
WHERE plan_id = $1 AND recipient_id = $2 AND claim_key NOT LIKE 'erased:%'
"""
BLANK_ABOUT = """
UPDATE notifier.deliveries AS d
SET subject = $3, body = $3, payload = '{}'::jsonb,
    status = CASE WHEN status = 'claimed' THEN 'skipped' ELSE status END,
    permanent = permanent OR status = 'claimed',
    finished_at = coalesce(finished_at, now()),
    lease_until = NULL, lease_holder = NULL, next_attempt_at = NULL,
    reason = CASE WHEN status = 'claimed' THEN 'erased' WHEN reason IS NULL THEN NULL ELSE $3 END
WHERE d.plan_id = $1 AND (d.subject, d.body) IS DISTINCT FROM ($3, $3)
  AND (d.about = $2
       OR d.activation_id IN (SELECT activation_id FROM notifier.activations
                              WHERE plan_id = $1 AND (snapshot->>'activated_by')::uuid = $2)
       OR (d.message = 'ack_note'
           AND d.activation_id IN (SELECT activation_id FROM notifier.activations
                                   WHERE plan_id = $1 AND acknowledged_by = $2))
       OR EXISTS (SELECT FROM unnest($4::text[]) AS t(s)
                  WHERE strpos(d.subject, s) > 0 OR strpos(d.body, s) > 0
                     OR strpos(d.payload::text, s) > 0 OR strpos(coalesce(d.reason, ''), s) > 0))
"""
# Identifiers cannot be parameters: one constant per table.
VACUUMS = {
    "deliveries": "VACUUM (FULL, ANALYZE) notifier.deliveries",
    "activations": "VACUUM (FULL, ANALYZE) notifier.activations",
    "signs": "VACUUM (FULL, ANALYZE) notifier.signs",
}
# ANALYZE replaced the tables' statistics, which sample column values (names, words): the
# old ones stay in pg_statistic's file as dead rows until it too is rewritten (superuser).
VACUUM_STATISTICS = "VACUUM (FULL) pg_catalog.pg_statistic"
FLUSH_WAL = ("SELECT pg_switch_wal()", "CHECKPOINT")
# A vacuum waiting for its lock would queue every later query on the table behind it: the
# senders and the consumer would stall. Past this, it gives up (and is logged).
LOCK_TIMEOUT = "SET lock_timeout = '5s'"
RESET_LOCK_TIMEOUT = "RESET lock_timeout"

_snapshot = msgspec.json.Decoder(PlanActivated)


class Redacted(msgspec.Struct, frozen=True, kw_only=True):
    """What an erasure changed in the ledger: rows per table, and the traces it looked for."""

    rows: dict[str, int]
    traces: frozenset[str]
    activations: list[UUID]  # the plan's, whose delivery reports may quote the person

    @property
    def tables(self) -> list[str]:
        return sorted(table for table, count in self.rows.items() if count)


async def redact(
    conn: Connection, plan_id: UUID, subject: UUID, found: Iterable[str] = ()
) -> Redacted:
    """Blank ``subject``'s text in the plan's rows (inside the caller's transaction).

    ``found``: their strings seen elsewhere (the plan's events), looked for beside those the
    ledger itself knows of them.
    """
    rows = await conn.fetch(KNOWN_TRACES, plan_id, subject)
    activations = await conn.fetch(PLAN_ACTIVATIONS, plan_id)
    snapshots = {row["activation_id"]: _snapshot.decode(row["snapshot"]) for row in activations}
    known = usable([*found, *(row["text"] for row in rows), *_frozen(snapshots, subject)])
    patterns = searchable(known)
    changed = {
        "deliveries": _count(await conn.execute(BLANK_TO, plan_id, subject, ERASED))
        + _count(await conn.execute(BLANK_ABOUT, plan_id, subject, ERASED, patterns)),
        "signs": _count(await conn.execute(BLANK_SIGNS, plan_id, subject, ERASED, patterns)),
        "activations": 0,
    }
    for activation_id, snapshot in snapshots.items():
        scrubbed = scrub_activation(snapshot, subject, known)
        if scrubbed != snapshot:
            await conn.execute(SET_SNAPSHOT, activation_id, msgspec.json.encode(scrubbed).decode())
            changed["activations"] += 1
    return Redacted(rows=changed, traces=known, activations=list(snapshots))


async def compact(conn: Connection, tables: Iterable[str]) -> None:
    """Rewrite ``tables`` without the old row versions, then let the WAL that held them go.

    Outside any transaction. Best effort: a failure is logged (no data in it) and the rest
    goes on; the text is blanked either way, and autovacuum reclaims the space later.
    Nothing touched (a redelivered erasure): nothing to do.
    """
    tables = list(tables)
    if not tables:
        return
    # One compaction at a time in the database (the planner's too): see common.retention.compaction.
    await conn.execute(compaction_lock.WAIT)
    locked = await _locked(conn)
    await conn.execute(LOCK_TIMEOUT)
    try:
        for table in tables:
            await _best_effort(conn, VACUUMS[table], "erasure.vacuum_failed", table)
        await _best_effort(conn, VACUUM_STATISTICS, "erasure.vacuum_failed", "pg_statistic")
        for statement in FLUSH_WAL:
            await _best_effort(conn, statement, "erasure.wal_flush_failed", statement.split()[-1])
    finally:
        if locked:
            await conn.execute(compaction_lock.UNLOCK, compaction_lock.KEY)
        await conn.execute(RESET_LOCK_TIMEOUT)


async def _locked(conn: Connection) -> bool:
    try:
        await conn.execute(compaction_lock.LOCK, compaction_lock.KEY)
    except DATABASE_ERRORS as exc:
        log.warning("erasure.compaction_lock_failed", error=type(exc).__name__)
        return False
    return True


async def _best_effort(conn: Connection, statement: str, event: str, what: str) -> None:
    try:
        await conn.execute(statement)
    except DATABASE_ERRORS as exc:
        log.warning(event, what=what, error=type(exc).__name__)


def _frozen(snapshots: dict[UUID, PlanActivated], subject: UUID) -> list[str]:
    """What the activations froze of ``subject``: as the one who asked, and as a recipient."""
    strings: list[str] = []
    for activation in snapshots.values():
        if activation.activated_by == subject:  # their note is no trace: see domain.erasure
            strings += [activation.activator_name]
            strings += [c.address for c in activation.activator_channels]
        for recipient in activation.recipients:
            if recipient.recipient_id == subject:
                strings += [recipient.display_name, *(c.address for c in recipient.channels)]
    return strings


def _count(status: str) -> int:
    """Rows an UPDATE changed, from its status ("UPDATE 3")."""
    return int(status.rsplit(" ", 1)[-1])
