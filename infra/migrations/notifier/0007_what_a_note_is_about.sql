-- What a claim is about, kept so its report can say it: the recipient a "could not reach"
-- note names, the contact a note to partners is about (``about``), and the consent request,
-- or the event asking a partner, that a message belongs to (``request_id``). The planner's
-- accounting of disclosures attributes each message to the people it named from these.
-- Claims made before stay null: their reports say nothing more than they did.
-- The version number leaves 0006 to a migration being written beside this one.
ALTER TABLE notifier.deliveries ADD COLUMN about uuid;
ALTER TABLE notifier.deliveries ADD COLUMN request_id uuid;
