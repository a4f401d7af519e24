-- From schema version 5 to 6, on SQLite: an item may be cancelled (a person withdrew it before
-- a worker took it up), and follow-ups may be asked for. SQLite cannot change a CHECK in place,
-- so the items table is made anew and its rows copied (column by column: upgrades added columns
-- at the end). Its one child, item_events, is set aside first and put back after, since
-- dropping a parent that has children fails under foreign_keys = ON, which cannot be switched
-- off inside the transaction that checks the version (bot/queue/schema.py).

CREATE TABLE item_events_kept AS SELECT * FROM item_events;

DROP TABLE item_events;

CREATE TABLE items_new (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN (
        'pending', 'in_progress', 'submitting', 'submitted',
        'not_required', 'rejected', 'failed', 'invalid', 'cancelled'
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
    -- The last time Submit was about to be clicked (submitting_at keeps the first): the
    -- reconciliation grace runs from it.
    clicked_at TEXT,
    -- The holding process, "host|boot id|pid namespace|pid|start time" (bot/holder.py): on the
    -- same machine a dead holder's item is taken back at once instead of when its lease ends.
    holder TEXT,
    -- Not claimable before this time: an item set aside while the portal's Status search may
    -- not show its submission yet (the reconciliation grace).
    available_at TEXT,
    -- Claimed first, highest first, then oldest first: 2 urgent (a person is waiting:
    -- pa-bot submit), 1 expedited, 0 standard (bot.queue.base.Priority).
    priority INTEGER NOT NULL DEFAULT 0,
    -- The step of the flow the holding worker began last (bot/steps.py), for whoever follows
    -- the item from the queue; cleared by each claim.
    step TEXT,
    CHECK ((lease_owner IS NULL) = (lease_expires_at IS NULL))
);

INSERT INTO items_new (
    id, key, state, payload, source, attempts, error, portal_status, reference_id, outcome,
    lease_owner, lease_expires_at, created_at, updated_at, submitting_at, clicked_at,
    holder, available_at, priority, step
)
SELECT
    id, key, state, payload, source, attempts, error, portal_status, reference_id, outcome,
    lease_owner, lease_expires_at, created_at, updated_at, submitting_at, clicked_at,
    holder, available_at, priority, step
FROM items;

DROP TABLE items;

ALTER TABLE items_new RENAME TO items;

CREATE UNIQUE INDEX items_key ON items (key);

CREATE INDEX items_state_lease ON items (state, lease_expires_at);

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

INSERT INTO item_events (id, item_id, happened_at, action, from_state, to_state, worker, note)
SELECT id, item_id, happened_at, action, from_state, to_state, worker, note
FROM item_events_kept;

DROP TABLE item_events_kept;

CREATE INDEX item_events_item ON item_events (item_id, id);

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
