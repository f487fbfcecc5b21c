"""How long both services keep what they hold, and how an erasure's rewrite is shared.

- ``streams``: every Tandem JetStream stream drops a message after
  ``TANDEM_STREAM_MAX_AGE_DAYS``;
- ``compaction``: the lock that keeps the planner's and the notifier's rewrites of erased
  tables (``VACUUM FULL``) from overlapping.
"""
