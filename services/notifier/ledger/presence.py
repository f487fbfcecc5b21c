"""Who holds a lease, and whether they are still alive: leases of a dead notifier are freed at once.

Each notifier's worker draws a holder number once (a sequence: no two notifiers ever share
one) and holds a session-level advisory lock on it, on its LISTEN session, for as long as
it runs; every lease it takes is stamped with that number. PostgreSQL releases a session's
advisory locks when the session ends, and a killed process's sessions end with it: the
kernel closes its sockets, and the idle backends waiting on them see the end at once. So
"no session holds the lock" is a sound test of "the holder is gone", and a notifier can
free such leases at once instead of waiting out the lease time; a lease whose holder is
alive is never touched, however long its send takes (the holder renews it).

Two limits, both safe: a host that vanishes without closing its sockets keeps its
sessions (and locks) until TCP gives up on them, and then its leases simply lapse as they
always did. And a holder whose LISTEN session drops while the process lives is taken for
dead until it reconnects and takes its lock again: a claim it is sending may then be sent
once more by another notifier, under the same delivery id, exactly as after a lapse.
"""

from notifier.ledger.sessions import WAKE_SEND, WORK_CHANNEL, Connection, Executor

# The two-key form (int4, int4) of advisory locks, so no bigint key used elsewhere (the
# migrations', the relay's) can ever be the same lock; pg_locks shows it as objsubid = 2.
LOCK_CLASS = 0x6E746672  # "ntfr"
NEW_HOLDER = "SELECT nextval('notifier.lease_holders')::int"
HOLD = "SELECT pg_try_advisory_lock($1, $2)"
# Leases (not lapsed yet) whose holder's lock no session of this database holds. Advisory
# locks are per database, hence the database column.
RELEASE_ORPHANED = """
WITH released AS (
    UPDATE notifier.deliveries SET lease_until = NULL, lease_holder = NULL
    WHERE status = 'claimed' AND lease_until >= now() AND lease_holder <> $2
      AND NOT EXISTS (
        SELECT FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND objsubid = 2
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND classid = $1::int::oid AND objid = lease_holder::oid)
    RETURNING 1
)
SELECT count(*) FROM released LEFT JOIN LATERAL (SELECT pg_notify($3, $4)) AS woken ON true
"""


async def new_holder(conn: Executor) -> int:
    """A holder number no notifier has had before."""
    holder: int = await conn.fetchval(NEW_HOLDER)
    return holder


async def hold(conn: Connection, holder: int) -> bool:
    """Take ``holder``'s lock on this session, for as long as it lives; False if taken."""
    return bool(await conn.fetchval(HOLD, LOCK_CLASS, holder))


async def release_orphaned(conn: Executor, holder: int) -> int:
    """Free the leases of notifiers that are gone (never ``holder``'s); how many.

    Freed claims wake the senders, which lease them and send them again under their ids.
    """
    released: int = await conn.fetchval(
        RELEASE_ORPHANED, LOCK_CLASS, holder, WORK_CHANNEL, WAKE_SEND
    )
    return released
