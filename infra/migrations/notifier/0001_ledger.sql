-- The notifier's own schema: what it knows of activations, the delivery ledger, the
-- escalation timers. Nothing here is shared with the planner.

CREATE TABLE notifier.activations (
    activation_id   uuid PRIMARY KEY,
    plan_id         uuid        NOT NULL,
    snapshot        jsonb       NOT NULL,  -- the plan.activated event: recipients and tiers frozen
    status          text        NOT NULL DEFAULT 'triggered'
                    CHECK (status IN ('triggered', 'acknowledged', 'resolved')),
    acknowledged_by uuid,
    sequence        int         NOT NULL DEFAULT 0,  -- numbers the messages of one activation
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- One row per (activation, recipient, channel, tier, message): claimed before anything is
-- sent, under the unique claim key, so a redelivered NATS message or a replay finds the
-- claim and sends nothing new. delivery_id is the idempotency key on every channel.
-- A claimed row is sent by whoever holds its lease; a crash lets the lease lapse, and the
-- row is sent again with the same delivery_id (the receiver sees the same key).
CREATE TABLE notifier.deliveries (
    delivery_id    uuid PRIMARY KEY,
    claim_key      text        NOT NULL UNIQUE,
    plan_id        uuid        NOT NULL,
    activation_id  uuid,  -- null for a consent request
    recipient_id   uuid        NOT NULL,
    recipient_name text        NOT NULL,
    channel_kind   text        NOT NULL,
    address        text        NOT NULL,
    tier           int         NOT NULL,
    message        text        NOT NULL,
    sequence       int         NOT NULL DEFAULT 0,
    -- Rendered when claimed, so a resend after a crash carries the very same message.
    subject        text        NOT NULL,
    body           text        NOT NULL,
    payload        jsonb       NOT NULL,
    status         text        NOT NULL DEFAULT 'claimed'
                   CHECK (status IN ('claimed', 'sent', 'failed', 'skipped')),
    permanent      boolean     NOT NULL DEFAULT false,
    reason         text,
    attempts       int         NOT NULL DEFAULT 0,
    lease_until    timestamptz,
    claimed_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz,
    reported_at    timestamptz
);
CREATE INDEX deliveries_to_send ON notifier.deliveries (claimed_at) WHERE status = 'claimed';
CREATE INDEX deliveries_to_report ON notifier.deliveries (finished_at)
    WHERE reported_at IS NULL AND status IN ('sent', 'failed');
CREATE INDEX deliveries_by_activation ON notifier.deliveries (activation_id);

-- A durable timer per tier, written in the same transaction as that tier's claims.
CREATE TABLE notifier.timers (
    activation_id uuid        NOT NULL,
    tier          int         NOT NULL,
    fires_at      timestamptz NOT NULL,
    status        text        NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'fired', 'cancelled')),
    report_id     uuid,  -- set when it fired and escalated: the escalation's report id
    fired_at      timestamptz,
    reported_at   timestamptz,
    PRIMARY KEY (activation_id, tier)
);
CREATE INDEX timers_due ON notifier.timers (fires_at) WHERE status = 'pending';

-- Warning signs as the plan's events describe them: an alert may show the signs observed,
-- where the contact's consent scope allows.
CREATE TABLE notifier.signs (
    sign_id     uuid PRIMARY KEY,
    plan_id     uuid NOT NULL,
    description text NOT NULL
);
