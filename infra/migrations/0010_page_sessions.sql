-- Pages for people: the browser sessions of participants. Only the SHA-256 hash of each
-- session id is kept: the id is a 256-bit random secret, so a fast hash suffices, and
-- nothing here lets anyone sign in.

CREATE TABLE page_sessions (
    session_sha256 text PRIMARY KEY,
    participant_id uuid NOT NULL REFERENCES participants (participant_id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL
);
CREATE INDEX page_sessions_participant ON page_sessions (participant_id);

