-- From schema version 6 to 7: appeals (bot/queue/appeals.py) and eligibility checks
-- (bot/queue/eligibility.py). Run in the transaction that checks the version
-- (bot/queue/schema.py); plain SQL that SQLite and Postgres both run.

-- Appeals of a denial or a cut (bot/queue/appeals.py), kept apart from the item's state: one row
-- per change, so the rows of an item are its appeal's history and the last one its state.
-- prepared (pa-bot appeal wrote the packet), filed (sent to the payer), then overturned or upheld;
-- declined: the practice accepts the decision and does not appeal.
CREATE TABLE appeals (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items (id),
    state TEXT NOT NULL CHECK (state IN (
        'prepared', 'filed', 'overturned', 'upheld', 'declined'
    )),
    at TEXT NOT NULL,
    actor TEXT NOT NULL
);

CREATE INDEX appeals_item ON appeals (item_id, id);

-- Eligibility checks (bot/queue/eligibility.py, pa-bot eligibility): what the portal's Member
-- Eligibility screen said of a member (as given, and a digest of it to look it up by) on a date
-- of service. Not items: a table of their own, read before a request is submitted. A check asked
-- from the console waits (eligible and error both NULL) until a resident worker takes it (until
-- taken_until) and answers it.
CREATE TABLE eligibility_checks (
    id INTEGER PRIMARY KEY,
    member_key TEXT NOT NULL,
    member TEXT NOT NULL,
    date_of_service TEXT NOT NULL,
    checked_at TEXT NOT NULL,
    eligible INTEGER,
    plan TEXT,
    coverage_start TEXT,
    coverage_end TEXT,
    other_payer TEXT,
    error TEXT,
    batch TEXT,
    taken_by TEXT,
    taken_until TEXT
);

CREATE INDEX eligibility_checks_member ON eligibility_checks (member_key, date_of_service, id);

CREATE INDEX eligibility_checks_batch ON eligibility_checks (batch, id);

CREATE INDEX eligibility_checks_day ON eligibility_checks (date_of_service);

CREATE INDEX eligibility_checks_open ON eligibility_checks (eligible, error, id);

UPDATE schema_version SET version = 7;
