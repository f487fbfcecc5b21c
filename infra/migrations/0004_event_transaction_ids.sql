-- Which transaction wrote each event, so a reader can tell "committed since my snapshot"
-- from "committed before it" exactly, whatever the positions say.
--
-- A position is drawn at INSERT but visible only at COMMIT, so "position > last seen"
-- skips a transaction that commits late (see the outbox comment in 0001). A reader that
-- keeps the snapshot it read under (pg_current_snapshot()) asks instead for the events
-- whose transaction was NOT visible in that snapshot: that is every event committed
-- since, in whatever order the positions were drawn. `tandem events tail --follow` and
-- the swap of `tandem replay` read this way.
--
-- Rows written before this migration keep a null: they committed before any snapshot a
-- reader can take from now on. Adding a nullable column and then a default rewrites no
-- row (the append-only trigger is not involved); new rows get their top-level
-- transaction id, which savepoints do not change.

ALTER TABLE events ADD COLUMN xact_id xid8;
ALTER TABLE events ALTER COLUMN xact_id SET DEFAULT pg_current_xact_id();

-- "Not visible in snapshot S" implies xact_id >= pg_snapshot_xmin(S): a range scan.
CREATE INDEX events_by_xact_id ON events (xact_id);
