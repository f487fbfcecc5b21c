-- Pages for people: browser sessions and one-time sign-in links of participants.
-- Only SHA-256 hashes of the session ids and link tokens are kept: both are 256-bit random
-- secrets, so a fast hash suffices, and nothing here lets anyone sign in.

CREATE TABLE page_sessions (
    session_sha256 text PRIMARY KEY,
    participant_id uuid NOT NULL REFERENCES participants (participant_id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL
);
CREATE INDEX page_sessions_participant ON page_sessions (participant_id);

CREATE TABLE sign_in_links (
    token_sha256   text PRIMARY KEY,
    participant_id uuid NOT NULL REFERENCES participants (participant_id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    used_at        timestamptz
);
