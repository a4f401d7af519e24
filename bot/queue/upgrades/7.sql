-- From schema version 6 to 7: appeals (bot/queue/appeals.py). Run in the transaction that
-- checks the version (bot/queue/schema.py); plain SQL that SQLite and Postgres both run.

-- Appeals of a denial or a cut (bot/queue/appeals.py), kept apart from the item's state: one row
-- per change, so the rows of an item are its appeal's history and the last one its state.
-- prepared (pa-bot appeal wrote the packet), filed (sent to the payer), then overturned or upheld.
CREATE TABLE appeals (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items (id),
    state TEXT NOT NULL CHECK (state IN ('prepared', 'filed', 'overturned', 'upheld')),
    at TEXT NOT NULL,
    actor TEXT NOT NULL
);

CREATE INDEX appeals_item ON appeals (item_id, id);

UPDATE schema_version SET version = 7;
