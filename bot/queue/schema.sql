-- pa-bot queue schema, version 7 (bot.queue.base.SCHEMA_VERSION).
--
-- One file for every backend: plain SQL that SQLite and Postgres both run. Times are TEXT,
-- ISO-8601 in UTC with microseconds ("2025-01-31T23:59:59.000000+00:00"): fixed width, so text
-- order is time order. `INTEGER PRIMARY KEY` makes SQLite number the rows; the Postgres backend
-- makes them identity columns as it runs this file (bot/queue/postgres.py, docs/QUEUE.md).
--
-- A change here is a new version: bump SCHEMA_VERSION and the INSERT below, and add
-- upgrades/<version>.sql, which brings a database of the version before to this one. A database
-- of a version with no upgrade path, or of a later version, is refused (SchemaMismatch).

CREATE TABLE schema_version (
    version INTEGER NOT NULL
);

INSERT INTO schema_version (version) VALUES (7);

CREATE TABLE items (
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

-- The login gate (bot/login_gate.py): one row per portal account (a digest of the portal's URL
-- and the username). At most one login attempt is in flight per account across every worker,
-- process and machine (the holder, until its short lease ends); a rejection is kept with a slow
-- hash of the secrets it was made with, so that the same credentials are never tried again and
-- changed ones are tried once. A success with the rejected secrets clears the rejection.
CREATE TABLE login_gate (
    account TEXT PRIMARY KEY,
    attempt_holder TEXT,
    attempt_since TEXT,
    attempt_until TEXT,
    succeeded_at TEXT,
    rejected_digest TEXT,
    rejected_at TEXT,
    rejected_reason TEXT,
    -- The last 30-second TOTP time step whose code was sent: a code is never sent twice.
    totp_step INTEGER,
    -- Since when machines take turns on the account (bot/shared_login.py): the portal signed it
    -- out because it signed in elsewhere (one session per account), or it is one of a pool ...
    turns_since TEXT,
    -- ... the process whose turn it is, until its lease ends (renewed while it works).
    turn_holder TEXT,
    turn_until TEXT,
    CHECK ((attempt_holder IS NULL) = (attempt_until IS NULL))
);

-- Resident workers (pa-bot worker, pa-bot serve) while they run: each says every few seconds
-- that it is alive, so that pa-bot submit can hand a request to one instead of starting a
-- browser of its own.
CREATE TABLE workers (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    contexts INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    seen_at TEXT NOT NULL
);

-- The staff console (bot/console/): its accounts (Argon2 hashes of passwords and API tokens;
-- five wrong passwords lock an account until locked_until), the audit log of who saw or did
-- what to which item, and the secret that signs its session cookies.
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
