-- Column statistics (pg_statistic, sampled by ANALYZE and autovacuum) keep copies of column
-- values. A recipient's name or address, a message's text or a frozen activation sampled
-- there would outlive the person's erasure. The ledger never searches these columns by their
-- values, so the query planner loses nothing without statistics (as planner migration 0013).
ALTER TABLE notifier.deliveries
    ALTER COLUMN recipient_name SET STATISTICS 0,
    ALTER COLUMN address SET STATISTICS 0,
    ALTER COLUMN claim_key SET STATISTICS 0,
    ALTER COLUMN subject SET STATISTICS 0,
    ALTER COLUMN body SET STATISTICS 0,
    ALTER COLUMN payload SET STATISTICS 0,
    ALTER COLUMN reason SET STATISTICS 0;
ALTER TABLE notifier.activations ALTER COLUMN snapshot SET STATISTICS 0;
ALTER TABLE notifier.signs ALTER COLUMN description SET STATISTICS 0;

-- A later ANALYZE leaves what was sampled before: clear it (PostgreSQL 18 can, for a table's
-- owner; an older server keeps it until an erasure's own vacuum of pg_statistic).
DO $$
BEGIN
    PERFORM pg_clear_attribute_stats('notifier', t.relname, t.attname, false)
    FROM (VALUES ('deliveries', 'recipient_name'), ('deliveries', 'address'),
                 ('deliveries', 'claim_key'), ('deliveries', 'subject'),
                 ('deliveries', 'body'), ('deliveries', 'payload'), ('deliveries', 'reason'),
                 ('activations', 'snapshot'), ('signs', 'description'))
         AS t (relname, attname);
EXCEPTION WHEN undefined_function OR insufficient_privilege THEN
    NULL;
END
$$;
