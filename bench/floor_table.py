"""The floors' table: an event row's shape with the events table's unique constraints.

Both floors (``bench.append``'s bare INSERT and ``bench.insert_app``'s HTTP endpoint)
write here: the same columns as ``events``, the hash chain link (``hash``) and the writing
transaction's id (``xact_id``) included, under the same unique constraints, and nothing
else (no outbox row, no other index, no trigger).
"""

FLOOR_TABLE = """
CREATE TABLE IF NOT EXISTS floor_events (
    position       bigint generated always as identity primary key,
    stream_id      uuid        not null,
    stream_version int         not null,
    event_id       uuid        not null unique,
    event_type     text        not null,
    schema_version int         not null,
    payload        jsonb       not null,
    metadata       jsonb       not null,
    recorded_at    timestamptz not null default clock_timestamp(),
    xact_id        xid8        default pg_current_xact_id(),
    hash           bytea,
    unique (stream_id, stream_version)
)
"""
HASH_BYTES = 32  # an HMAC-SHA256 link of the chain: as long as ours, not computed
