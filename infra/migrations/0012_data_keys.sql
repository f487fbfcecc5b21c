-- Per-person data keys for the personal fields of stored events (crypto-shredding; see
-- planner.store.sealing). A subject is a participant, a support contact, or a plan.
-- ``wrapped`` is the 256-bit key sealed with AES-GCM under the key-encryption key named by
-- ``kek_id`` (derived from the service secret, never stored). Shredding a subject sets
-- ``wrapped`` to NULL and keeps the row as its tombstone: the primary key then refuses a
-- new key for that subject for ever, whatever appends race with the shred, so nothing of
-- theirs is sealed again (an erased person's fields are stored as "[erased]" instead).
CREATE TABLE data_keys (
    subject_id  uuid PRIMARY KEY,
    wrapped     bytea,
    kek_id      bytea,
    created_at  timestamptz NOT NULL DEFAULT now(),
    shredded_at timestamptz,
    CHECK ((wrapped IS NULL) = (shredded_at IS NOT NULL)),
    CHECK ((wrapped IS NULL) = (kek_id IS NULL))
);
