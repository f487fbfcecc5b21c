-- Observability. Each claim remembers the correlation id of the command that caused it
-- (an activation, an acknowledgement, a resolution), so its delivery's log lines and its
-- report to the planner carry that id. Rows claimed before this migration have none.
ALTER TABLE notifier.deliveries ADD COLUMN correlation_id uuid;

-- An activation keeps its own correlation id, for the claims its escalation timers make
-- later, and when its first alert went out: set once, by whichever send comes first, so
-- "activation to first delivery" is observed exactly once per activation.
ALTER TABLE notifier.activations ADD COLUMN correlation_id uuid;
ALTER TABLE notifier.activations ADD COLUMN first_delivered_at timestamptz;
