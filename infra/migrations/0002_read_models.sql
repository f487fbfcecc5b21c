-- Accounts and the read models that authorization needs. These are written in the same
-- transaction as the events they follow, so a member can act the moment the command commits.

CREATE TABLE participants (
    participant_id uuid PRIMARY KEY,
    display_name   text        NOT NULL,
    token_sha256   text        NOT NULL UNIQUE,  -- bearer tokens are stored hashed, never plain
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE operator_tokens (
    operator_id  uuid PRIMARY KEY,
    label        text        NOT NULL,
    token_sha256 text        NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE plan_members (
    plan_id        uuid        NOT NULL,
    participant_id uuid        NOT NULL,
    joined_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (plan_id, participant_id)
);
CREATE INDEX plan_members_by_participant ON plan_members (participant_id);

-- Invite codes are secrets: only their hash is kept, here and in the event.
CREATE TABLE partner_invite_codes (
    code_sha256 text PRIMARY KEY,
    plan_id     uuid        NOT NULL,
    expires_at  timestamptz NOT NULL
);

-- Idempotency-Key: the first response is stored in the command's own transaction, so a
-- retried request either finds it or runs as if first; it is never applied twice.
CREATE TABLE idempotency_keys (
    principal      text        NOT NULL,
    key            text        NOT NULL,
    request_sha256 text        NOT NULL,
    status_code    int         NOT NULL,
    body           bytea       NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (principal, key)
);
