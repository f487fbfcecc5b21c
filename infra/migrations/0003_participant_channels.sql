-- A partner's own channels (PUT /v1/participants/me/channels): how to reach them when the
-- other partner asks for help. Read at activation time and frozen into the activation.
ALTER TABLE participants ADD COLUMN channels jsonb NOT NULL DEFAULT '[]';
