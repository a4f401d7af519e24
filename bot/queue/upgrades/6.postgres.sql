-- From schema version 5 to 6, on Postgres: an item may be cancelled (a person withdrew it
-- before a worker took it up). Run in the transaction that checks the version
-- (bot/queue/schema.py). The column's CHECK has Postgres's default name.

ALTER TABLE items DROP CONSTRAINT items_state_check;

ALTER TABLE items ADD CONSTRAINT items_state_check CHECK (state IN (
    'pending', 'in_progress', 'submitting', 'submitted',
    'not_required', 'rejected', 'failed', 'invalid', 'cancelled'
));

UPDATE schema_version SET version = 6;
