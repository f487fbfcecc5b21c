"""One erasure's compaction at a time in a database, whichever service runs it.

Both services rewrite the tables an erasure touched (``VACUUM FULL``). A rewrite keeps every
old row version that some open transaction may still see, and a running ``VACUUM FULL`` is
such a transaction: were the planner's and the notifier's compactions to overlap, each could
keep the very rows the other erased. So each holds this lock while it compacts (a session
advisory lock, released at the end); one that cannot get it within ``WAIT`` compacts anyway,
and says so in the log.
"""

KEY = 7_346_201_857_114_551_016
WAIT = "SET lock_timeout = '30s'"
LOCK = "SELECT pg_advisory_lock($1)"
UNLOCK = "SELECT pg_advisory_unlock($1)"
