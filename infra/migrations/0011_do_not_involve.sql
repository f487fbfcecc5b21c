-- Each participant's "do not involve" list (WRAP): people who must never be told about
-- them. Private to its owner: the reason is never shown to anyone else, and the entries
-- are read only to refuse such a person as a support contact and to leave them out of the
-- owner's activations. ``address_key`` is the normalised address (``email:jo@example.org``,
-- ``sms:+15550100177``), the form the plan's rules compare.
CREATE TABLE do_not_involve (
    entry_id       uuid PRIMARY KEY,
    participant_id uuid NOT NULL REFERENCES participants (participant_id) ON DELETE CASCADE,
    address_key    text NOT NULL,
    reason         text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (participant_id, address_key)
);
