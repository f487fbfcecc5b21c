-- Column statistics (pg_statistic, sampled by ANALYZE and by autovacuum) keep copies of
-- column values: the most common ones and histogram bounds. A person's name, addresses or
-- reasons, an old event's plaintext, or a data key sampled there would outlive the person's
-- erasure (crypto-shredding deletes the key's row, not a sample of it). These columns are
-- never searched by their values, so the query planner loses nothing without statistics.
ALTER TABLE participants
    ALTER COLUMN display_name SET STATISTICS 0,
    ALTER COLUMN channels SET STATISTICS 0;
ALTER TABLE do_not_involve
    ALTER COLUMN address_key SET STATISTICS 0,
    ALTER COLUMN reason SET STATISTICS 0;
ALTER TABLE idempotency_keys ALTER COLUMN body SET STATISTICS 0;
ALTER TABLE events ALTER COLUMN payload SET STATISTICS 0;
ALTER TABLE data_keys ALTER COLUMN wrapped SET STATISTICS 0;

-- A later ANALYZE leaves what was sampled before: clear it (PostgreSQL 18 can, for a table's
-- owner; an older server keeps it until the erasure's own vacuum of pg_statistic).
DO $$
BEGIN
    PERFORM pg_clear_attribute_stats('public', t.relname, t.attname, false)
    FROM (VALUES ('participants', 'display_name'), ('participants', 'channels'),
                 ('do_not_involve', 'address_key'), ('do_not_involve', 'reason'),
                 ('idempotency_keys', 'body'), ('events', 'payload'), ('data_keys', 'wrapped'))
         AS t (relname, attname);
EXCEPTION WHEN undefined_function OR insufficient_privilege THEN
    NULL;
END
$$;
