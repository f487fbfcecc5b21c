-- A participant holds several bearer tokens (one per device), each stored hashed, each
-- expiring after TANDEM_TOKEN_DAYS without use, each revocable: revoking deletes the row,
-- so a revoked token is unknown from the next request on.
CREATE TABLE participant_tokens (
    token_id       uuid PRIMARY KEY,
    participant_id uuid        NOT NULL REFERENCES participants (participant_id),
    token_sha256   text        NOT NULL UNIQUE,
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_used_at   timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL
);
CREATE INDEX participant_tokens_by_participant ON participant_tokens (participant_id);

-- The token each participant registered with becomes their first token. The setting is not
-- known here: those tokens get the default lifetime (90 days) from now, so nobody who uses
-- Tandem is signed out by the upgrade; one idle for that long is.
INSERT INTO participant_tokens (token_id, participant_id, token_sha256, created_at,
                                last_used_at, expires_at)
SELECT participant_id, participant_id, token_sha256, created_at, now(), now() + interval '90 days'
FROM participants;

ALTER TABLE participants DROP COLUMN token_sha256;

-- Every read of a plan by an operator's token: who, which plan, which operation, when.
-- Written before the answer is sent, in the same request: a read that cannot be recorded
-- is not served. Partners list their plan's rows; operators list them all.
CREATE TABLE operator_reads (
    read_id     int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    operator_id uuid        NOT NULL REFERENCES operator_tokens (operator_id),
    plan_id     uuid        NOT NULL,
    operation   text        NOT NULL,
    read_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX operator_reads_by_plan ON operator_reads (plan_id, read_id);

-- An audit trail is not edited, like the events table (0001): UPDATE, DELETE and TRUNCATE
-- are refused by the database itself.
CREATE FUNCTION operator_reads_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'operator_reads is append-only: % refused', tg_op
        USING errcode = 'restrict_violation';
END;
$$;

CREATE TRIGGER operator_reads_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON operator_reads
    FOR EACH STATEMENT EXECUTE FUNCTION operator_reads_refuse_change();

ALTER TABLE operator_reads ENABLE ALWAYS TRIGGER operator_reads_append_only;
