-- From schema version 2 to 3: priorities, the step in progress, and the resident workers.
-- Run in the transaction that checks the version (bot/queue/schema.py), so that it is all or
-- nothing; plain SQL that SQLite and Postgres both run.

ALTER TABLE items ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;

ALTER TABLE items ADD COLUMN step TEXT;

CREATE TABLE workers (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    contexts INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    seen_at TEXT NOT NULL
);

UPDATE schema_version SET version = 3;
