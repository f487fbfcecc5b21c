-- The event store: one append-only table of events, and the outbox the relay drains.
--
-- Applied by planner.store.migrations.migrate() inside one transaction; no BEGIN/COMMIT here.

create table events (
    position       bigint generated always as identity primary key,
    stream_id      uuid        not null,
    stream_version int         not null,
    event_id       uuid        not null,
    event_type     text        not null,
    schema_version int         not null,
    payload        jsonb       not null,
    metadata       jsonb       not null,
    recorded_at    timestamptz not null default clock_timestamp(),
    -- Named so the adapter can tell the two unique violations apart: a clash on
    -- (stream_id, stream_version) is a concurrent writer (StreamVersionConflict), a
    -- clash on event_id is a retried or racing append of an event already stored.
    constraint events_event_id_key unique (event_id),
    constraint events_stream_version_key unique (stream_id, stream_version),
    constraint events_stream_version_positive check (stream_version > 0)
);

-- History is never edited: UPDATE, DELETE and TRUNCATE are refused by the database
-- itself, so neither a bug, a careless script nor a replay can rewrite what happened.
-- A statement-level trigger refuses even a statement that would touch no row, and
-- TRUNCATE (which skips row triggers) is covered by the same BEFORE statement trigger.
-- ENABLE ALWAYS keeps it firing under session_replication_role = replica, which would
-- otherwise silence ordinary triggers. Only the table's owner could drop the trigger;
-- in production the application role should not own this table.
create function events_refuse_change() returns trigger
language plpgsql as $$
begin
    raise exception 'the events table is append-only: % refused', tg_op
        using errcode = 'restrict_violation',
              hint = 'record a new event that corrects or supersedes the old one';
end;
$$;

create trigger events_append_only
    before update or delete or truncate on events
    for each statement execute function events_refuse_change();

alter table events enable always trigger events_append_only;

-- One row per event, written in the same transaction as the event. published_at is
-- null while the event waits for the relay.
--
-- Invariant: the relay selects rows that are NOT YET PUBLISHED, never "position > the
-- last position seen". A position is drawn at INSERT but becomes visible only at
-- COMMIT, so a transaction can commit a lower position after a higher one was already
-- read and published; a position cursor would skip it for good. A late-committing row
-- is simply still pending the next time the relay looks. Within one stream the order
-- holds anyway: version n + 1 is only inserted once version n has committed.
create table outbox (
    position     bigint primary key references events (position),
    event_id     uuid not null,
    stream_id    uuid not null,
    published_at timestamptz
);

create index outbox_pending on outbox (position) where published_at is null;
