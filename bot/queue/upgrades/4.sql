-- From schema version 3 to 4: machines take turns on a portal account that allows one session
-- at a time, or on the accounts of a pool.
-- Run in the transaction that checks the version (bot/queue/schema.py); plain SQL that SQLite
-- and Postgres both run.

ALTER TABLE login_gate ADD COLUMN turns_since TEXT;

ALTER TABLE login_gate ADD COLUMN turn_holder TEXT;

ALTER TABLE login_gate ADD COLUMN turn_until TEXT;

UPDATE schema_version SET version = 4;
