-- pa-bot queue schema, version 1 (bot.queue.base.SCHEMA_VERSION).
--
-- One file for every backend: plain SQL that SQLite and Postgres both run. Times are TEXT,
-- ISO-8601 in UTC with microseconds ("2025-01-31T23:59:59.000000+00:00"): fixed width, so text
-- order is time order. `INTEGER PRIMARY KEY` makes SQLite number the rows; the Postgres backend
-- makes them identity columns as it runs this file (bot/queue/postgres.py, docs/QUEUE.md).
--
-- A change here is a new version: bump SCHEMA_VERSION and the INSERT below. A database made by
-- another version is refused (SchemaMismatch), never altered.

CREATE TABLE schema_version (
    version INTEGER NOT NULL
);

INSERT INTO schema_version (version) VALUES (1);

CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN (
        'pending', 'in_progress', 'submitting', 'submitted',
        'not_required', 'rejected', 'failed', 'invalid'
    )),
    payload TEXT NOT NULL,
    source TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    portal_status TEXT,
    reference_id TEXT,
    outcome TEXT,
    lease_owner TEXT,
    lease_expires_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    submitting_at TEXT,
    CHECK ((lease_owner IS NULL) = (lease_expires_at IS NULL))
);

CREATE UNIQUE INDEX items_key ON items (key);

CREATE INDEX items_state_lease ON items (state, lease_expires_at);

-- Every change of an item: the audit trail of "never twice" (who marked it submitting, when).
CREATE TABLE item_events (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items (id),
    happened_at TEXT NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    worker TEXT,
    note TEXT
);

CREATE INDEX item_events_item ON item_events (item_id, id);
