-- Seed 4: stages with entry criteria checked by one gate, several pipelines, the deal fields those criteria
-- read, and the activities (calls, emails, meetings, proposals sent, tasks) that meet them and reset a lead's
-- inactivity clock.

CREATE TABLE pipelines (
    key      TEXT PRIMARY KEY,
    label    TEXT NOT NULL,
    position INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO pipelines (key, label, position) VALUES ('sales', 'New business', 0);

-- A stage belongs to one pipeline (its key stays unique across them: a lead's stage names its pipeline).
-- No REFERENCES on an added column with a default: SQLite refuses it; `pipeline::config` checks the key.
ALTER TABLE stages ADD COLUMN pipeline TEXT NOT NULL DEFAULT 'sales';
-- Percent: the forecast weighs a deal's value by it.
ALTER TABLE stages ADD COLUMN probability INTEGER NOT NULL DEFAULT 0 CHECK (probability BETWEEN 0 AND 100);
ALTER TABLE stages ADD COLUMN colour TEXT NOT NULL DEFAULT '#64748b';
-- 'open', 'won' or 'lost': what closing in this stage means for velocity and the forecast.
ALTER TABLE stages ADD COLUMN outcome TEXT NOT NULL DEFAULT 'open' CHECK (outcome IN ('open', 'won', 'lost'));
-- JSON arrays: the lead fields that must hold a value, and the kinds of activity that must have happened,
-- before a lead may enter the stage.
ALTER TABLE stages ADD COLUMN required_fields TEXT NOT NULL DEFAULT '[]';
ALTER TABLE stages ADD COLUMN required_activities TEXT NOT NULL DEFAULT '[]';

-- The stagnation policy (seed 4.2): a lead inactive in this stage for more than `stale_after_days` business
-- days (NULL: never) is moved to `stale_target`, through the gate, with `stale_reason` as its lost reason
-- when the target is a lost stage.
ALTER TABLE stages ADD COLUMN stale_after_days INTEGER CHECK (stale_after_days IS NULL OR stale_after_days BETWEEN 1 AND 3650);
ALTER TABLE stages ADD COLUMN stale_target TEXT;
ALTER TABLE stages ADD COLUMN stale_reason TEXT;

-- Seed 4.1's criteria: interest, budget and authority verified before Qualification; a proposal sent before
-- Engagement ("In discussion"); a value to win, a reason to lose.
UPDATE stages SET probability = 10, colour = '#64748b' WHERE key = 'new';
UPDATE stages SET probability = 25, colour = '#0ea5e9',
       required_fields = '["budget","decision_maker","need","timeline"]' WHERE key = 'qualification';
UPDATE stages SET probability = 60, colour = '#8b5cf6',
       required_fields = '["deal_value","currency","expected_close"]',
       required_activities = '["proposal"]' WHERE key = 'engagement';
UPDATE stages SET probability = 100, colour = '#16a34a', outcome = 'won',
       required_fields = '["deal_value","currency"]' WHERE key = 'won';
UPDATE stages SET probability = 0, colour = '#dc2626', outcome = 'lost',
       required_fields = '["lost_reason"]' WHERE key = 'lost';
UPDATE stages SET probability = 5, colour = '#f59e0b' WHERE key = 'nurture';
-- Seed 4.2's policy: leads that go quiet early are nurtured; a discussion that goes quiet is lost.
UPDATE stages SET stale_after_days = 10, stale_target = 'nurture' WHERE key = 'new';
UPDATE stages SET stale_after_days = 20, stale_target = 'nurture' WHERE key = 'qualification';
UPDATE stages SET stale_after_days = 30, stale_target = 'lost', stale_reason = 'stagnant' WHERE key = 'engagement';

-- The business-day calendar the policy counts in: working weekdays (settings key `working_days`, JSON list,
-- Monday = 1 ... Sunday = 7; Monday to Friday when absent) and holidays.
CREATE TABLE holidays (
    day   TEXT PRIMARY KEY,   -- YYYY-MM-DD
    label TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;

-- What the app tells a user: a lead of theirs the stagnation policy moved (shown once, kept until read).
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    lead_id    INTEGER,
    message    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    shown_at   TEXT,
    read_at    TEXT
);
CREATE INDEX notifications_unread ON notifications (user_id, read_at, id);

-- The reasons a deal may be lost for: a list, so that "why do we lose" can be counted.
CREATE TABLE lost_reasons (
    key      TEXT PRIMARY KEY,
    label    TEXT NOT NULL,
    position INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO lost_reasons (key, label, position) VALUES
    ('price', 'Price', 0),
    ('competitor', 'Chose a competitor', 1),
    ('no_budget', 'No budget', 2),
    ('no_decision', 'No decision', 3),
    ('timing', 'Bad timing', 4),
    ('unresponsive', 'Stopped responding', 5),
    ('stagnant', 'Inactive too long', 6),
    ('other', 'Other', 7);

-- The deal fields (text, as every lead field: the change log, files and forms read them alike). The value is
-- a plain decimal ("12500.00"), the currency an ISO 4217 code, the close date YYYY-MM-DD.
ALTER TABLE leads ADD COLUMN deal_value TEXT NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN currency TEXT NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN expected_close TEXT NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN budget TEXT NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN decision_maker TEXT NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN need TEXT NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN timeline TEXT NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN lost_reason TEXT NOT NULL DEFAULT '';
-- When the last activity happened: with the date the lead entered its stage, the inactivity clock of the
-- stagnation policy. Derived (from `activities`), so not a field of the change log.
ALTER TABLE leads ADD COLUMN last_activity_at TEXT;

CREATE TABLE activities (
    id               INTEGER PRIMARY KEY,
    -- No foreign key: a merged lead's activities stay its own, and the survivor shows them (as its history).
    lead_id          INTEGER NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('call', 'email', 'meeting', 'note', 'proposal', 'task')),
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL DEFAULT '',
    outcome          TEXT NOT NULL DEFAULT '',
    duration_minutes INTEGER CHECK (duration_minutes IS NULL OR duration_minutes BETWEEN 0 AND 100000),
    -- A task's due time and reminder; NULL for what simply happened.
    due_at           TEXT,
    remind_at        TEXT,
    -- When it happened, or when the task was done; NULL: a task still open.
    done_at          TEXT,
    -- When its reminder was shown (once).
    reminded_at      TEXT,
    appointment_id   INTEGER REFERENCES appointments(id),
    created_by       INTEGER REFERENCES users(id),
    created_at       TEXT NOT NULL
);
CREATE INDEX activities_by_lead ON activities (lead_id, created_at, id);
CREATE INDEX activities_open_tasks ON activities (due_at) WHERE done_at IS NULL;
CREATE INDEX activities_reminders ON activities (created_by, remind_at) WHERE done_at IS NULL AND reminded_at IS NULL;

-- Approvals (seed 003's controls): chosen transitions wait for an Administrator. A rule names the stage left
-- (NULL: any), the stage entered (NULL: any other) and, optionally, the deal value from which it applies.
CREATE TABLE approval_rules (
    id         INTEGER PRIMARY KEY,
    from_stage TEXT,
    to_stage   TEXT,
    min_value  REAL,
    label      TEXT NOT NULL
);
INSERT INTO approval_rules (from_stage, to_stage, min_value, label) VALUES
    (NULL, 'lost', 10000, 'Losing a deal of 10,000 or more'),
    ('won', NULL, NULL, 'Reopening a won deal');

-- A move waiting for a decision: the stage it asks for (and the lost reason, when it asks for Lost). One
-- pending request per lead.
CREATE TABLE approval_requests (
    id           INTEGER PRIMARY KEY,
    lead_id      INTEGER NOT NULL,
    rule         TEXT NOT NULL,
    from_stage   TEXT NOT NULL,
    to_stage     TEXT NOT NULL,
    lost_reason  TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    requested_by INTEGER REFERENCES users(id),
    requested_at TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by   INTEGER REFERENCES users(id),
    decided_at   TEXT,
    comment      TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX approval_requests_one_pending ON approval_requests (lead_id) WHERE status = 'pending';
CREATE INDEX approval_requests_by_status ON approval_requests (status, requested_at);
CREATE INDEX approval_requests_by_lead ON approval_requests (lead_id, requested_at);
