-- Durable retries. A delivery whose round of tries failed for now stays claimed (same
-- delivery_id, so the same webhook-id, Message-ID and Idempotency-Key on every round) and
-- is leased again once next_attempt_at is due. Null: due at once (a new claim).
ALTER TABLE notifier.deliveries ADD COLUMN next_attempt_at timestamptz;
ALTER TABLE notifier.deliveries ADD COLUMN failed_rounds int NOT NULL DEFAULT 0;
ALTER TABLE notifier.deliveries ADD COLUMN failing_since timestamptz;  -- its first failed round
-- The sender sleeps until the earliest next round: min(next_attempt_at) of the claimed.
CREATE INDEX deliveries_next_round ON notifier.deliveries (next_attempt_at)
    WHERE status = 'claimed';
-- Set once a delivery has failed for long enough to count as failed (early escalation, a
-- note to the activating partner) while its retries go on: the planner is told under
-- this id, and later, if it goes through, under the delivery id as usual.
ALTER TABLE notifier.deliveries ADD COLUMN failing_report_id uuid;
ALTER TABLE notifier.deliveries ADD COLUMN failing_at timestamptz;
ALTER TABLE notifier.deliveries ADD COLUMN failing_reported_at timestamptz;
CREATE INDEX deliveries_failing_to_report ON notifier.deliveries (failing_at)
    WHERE failing_report_id IS NOT NULL AND failing_reported_at IS NULL;
CREATE INDEX deliveries_by_failing_report ON notifier.deliveries (failing_report_id)
    WHERE failing_report_id IS NOT NULL;

-- Who holds a lease: a number each notifier's worker draws once, and holds an advisory
-- lock on for as long as it lives (notifier.ledger.presence). A lease whose holder's lock
-- is gone belongs to a dead notifier and is taken over at once, not when it lapses.
ALTER TABLE notifier.deliveries ADD COLUMN lease_holder int;
CREATE SEQUENCE notifier.lease_holders AS int;
