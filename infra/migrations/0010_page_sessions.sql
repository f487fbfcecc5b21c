-- Pages for people: the browser sessions of participants, and the sign-in links used. Only
-- SHA-256 hashes are kept: a session id is a 256-bit random secret, so a fast hash
-- suffices, and nothing here lets anyone sign in.

CREATE TABLE page_sessions (
    session_sha256 text PRIMARY KEY,
    participant_id uuid NOT NULL REFERENCES participants (participant_id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL
);
CREATE INDEX page_sessions_participant ON page_sessions (participant_id);


-- One-time sign-in links, once taken: the SHA-256 of each token used, so the same link
-- cannot sign in twice. The token itself (signed, expiring) is never stored.
CREATE TABLE used_sign_in_links (
    token_sha256   text PRIMARY KEY,
    participant_id uuid NOT NULL REFERENCES participants (participant_id),
    used_at        timestamptz NOT NULL DEFAULT now()
);
