-- From schema version 5 to 6, on Postgres: an item may be cancelled (a person withdrew it
-- before a worker took it up), and follow-ups may be asked for. Run in the transaction that
-- checks the version (bot/queue/schema.py). The column's CHECK has Postgres's default name.

ALTER TABLE items DROP CONSTRAINT items_state_check;

ALTER TABLE items ADD CONSTRAINT items_state_check CHECK (state IN (
    'pending', 'in_progress', 'submitting', 'submitted',
    'not_required', 'rejected', 'failed', 'invalid', 'cancelled'
));

-- Follow-ups a person asked for from the console (bot/queue/follow_ups.py): the resident worker
-- looks the request up on the portal's Status tab and records what it finds, uploading the
-- attachment given (a file under ARTIFACTS_DIR) if any. Taken by one worker at a time, until
-- taken_until; done_at once it has been done, error when it could not be.
CREATE TABLE follow_ups (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items (id),
    asked_at TEXT NOT NULL,
    asked_by TEXT NOT NULL,
    attachment TEXT,
    taken_by TEXT,
    taken_until TEXT,
    done_at TEXT,
    error TEXT
);

CREATE INDEX follow_ups_open ON follow_ups (done_at, id);

UPDATE schema_version SET version = 6;
