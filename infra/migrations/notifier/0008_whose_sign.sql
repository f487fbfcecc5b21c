-- Whose each warning sign is, so erasing a partner blanks their signs' descriptions here
-- too (notifier.ledger.erasure). Set from plan.warning_sign_added; a revision keeps it.
-- Signs remembered before stay null: erasure finds them by the plan stream's events, while
-- those are kept (TANDEM_STREAM_MAX_AGE_DAYS), and by their text.
ALTER TABLE notifier.signs ADD COLUMN owner_id uuid;
