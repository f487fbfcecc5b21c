-- Per-person data keys for the personal fields of stored events (crypto-shredding; see
-- planner.store.sealing). A subject is a participant, a support contact, or a plan.
-- ``wrapped`` is a 256-bit key sealed with AES-GCM under the key-encryption key named by
-- ``kek_id`` (derived from the service secret, never stored). Each sealed value names the
-- ``key_id`` it was sealed with. A subject normally has one key; two transactions that
-- seal a new subject's first fields at the same time each make their own, so neither waits
-- for the other to commit.
CREATE TABLE data_keys (
    key_id     bigint PRIMARY KEY,
    subject_id uuid NOT NULL,
    wrapped    bytea NOT NULL,
    kek_id     bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX data_keys_subject_id ON data_keys (subject_id);

-- A shredded subject: their keys are deleted and no key is made for them again (an erased
-- person's later fields are stored as "[erased]"). A shred and the making of a key for the
-- same subject exclude each other by an advisory lock (exclusive / shared), so a key made
-- while a shred runs is either deleted by it or refused after it.
CREATE TABLE data_key_tombstones (
    subject_id  uuid PRIMARY KEY,
    shredded_at timestamptz NOT NULL DEFAULT now()
);
