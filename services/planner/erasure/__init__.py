"""Erasing a person: the erasure event on each plan, the read models' rows, the data key.

``running`` appends the erasure events, removes what the read models hold of the person and
shreds their data key, all in one transaction; ``compaction`` then removes the remnants
PostgreSQL keeps of the deleted rows (dead tuples, old WAL segments), as far as it may.
"""
