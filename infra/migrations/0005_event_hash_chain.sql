-- Tamper evidence: each event records a hash over its content and the hash of the event
-- before it in its stream (planner.store.chain). The hash is an HMAC whose key is derived
-- from TANDEM_SECRET_KEY, which the database never holds: whoever edits, deletes or
-- reorders rows behind the service's back (even a superuser who disables the append-only
-- trigger) cannot compute the hashes that would have to go with the change, and
-- `tandem events verify` reports the stream and version where the chain breaks.
--
-- Rows written before this migration have no hash (UPDATE is refused, so none is added
-- later); `event_chain.starts_after` records the last of them, and verify treats a
-- missing hash after it as tampering, not as history from before the chain.

ALTER TABLE events ADD COLUMN hash bytea;

CREATE TABLE event_chain (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    starts_after bigint  NOT NULL
);
INSERT INTO event_chain (starts_after) SELECT coalesce(max(position), 0) FROM events;
