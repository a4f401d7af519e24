-- From schema version 4 to 5: the staff console's accounts and the audit log (bot/console/).
-- Run in the transaction that checks the version (bot/queue/schema.py); plain SQL that SQLite
-- and Postgres both run.

CREATE TABLE console_users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('staff', 'admin', 'system')),
    password_hash TEXT,
    token_hash TEXT,
    disabled INTEGER NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    item_id BIGINT,
    detail TEXT
);

CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE console_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

UPDATE schema_version SET version = 5;
