-- Leads with their contact points, tags, the pipeline's stages and the full-text index.
CREATE TABLE stages (
    key      TEXT PRIMARY KEY,
    label    TEXT NOT NULL,
    position INTEGER NOT NULL,
    closed   INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1))
) WITHOUT ROWID;
-- The funnel of seed 4.1, plus Nurture for the stagnation policy of 4.2.
INSERT INTO stages (key, label, position, closed) VALUES
    ('new', 'New lead', 0, 0),
    ('qualification', 'Qualification', 1, 0),
    ('engagement', 'In discussion', 2, 0),
    ('won', 'Won', 3, 1),
    ('lost', 'Lost', 4, 1),
    ('nurture', 'Nurture', 5, 0);

CREATE TABLE leads (
    id            INTEGER PRIMARY KEY,
    version       INTEGER NOT NULL DEFAULT 1,
    first_name    TEXT NOT NULL DEFAULT '',
    last_name     TEXT NOT NULL DEFAULT '',
    company       TEXT NOT NULL DEFAULT '',
    job_title     TEXT NOT NULL DEFAULT '',
    -- Denormalized from lead_emails / lead_phones so the list reads one row per lead.
    primary_email TEXT NOT NULL DEFAULT '',
    primary_phone TEXT NOT NULL DEFAULT '',
    street        TEXT NOT NULL DEFAULT '',
    street2       TEXT NOT NULL DEFAULT '',
    city          TEXT NOT NULL DEFAULT '',
    postcode      TEXT NOT NULL DEFAULT '',
    region        TEXT NOT NULL DEFAULT '',
    country       TEXT NOT NULL DEFAULT '',
    source        TEXT CHECK (source IN ('direct_entry', 'web_form', 'bulk_import', 'partner')),
    source_detail TEXT NOT NULL DEFAULT '',
    campaign      TEXT NOT NULL DEFAULT '',
    owner_id      INTEGER REFERENCES users(id),
    stage         TEXT NOT NULL REFERENCES stages(key),
    notes         TEXT NOT NULL DEFAULT '',
    external_ref  TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('draft', 'active')),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
-- Keyset paging: each sortable column is indexed together with id.
CREATE INDEX leads_by_updated ON leads (updated_at, id);
CREATE INDEX leads_by_last_name ON leads (last_name COLLATE NOCASE, id);
CREATE INDEX leads_by_company ON leads (company COLLATE NOCASE, id);
CREATE INDEX leads_by_status ON leads (status, updated_at, id);
CREATE INDEX leads_by_stage ON leads (stage, updated_at, id);
CREATE INDEX leads_by_owner ON leads (owner_id, updated_at, id);
CREATE INDEX leads_by_campaign ON leads (campaign COLLATE NOCASE, updated_at, id);

CREATE TABLE lead_emails (
    lead_id  INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    address  TEXT NOT NULL,
    original TEXT NOT NULL,
    PRIMARY KEY (lead_id, position)
) WITHOUT ROWID;
CREATE INDEX lead_emails_by_address ON lead_emails (address COLLATE NOCASE);

CREATE TABLE lead_phones (
    lead_id  INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    e164     TEXT NOT NULL,
    display  TEXT NOT NULL,
    original TEXT NOT NULL,
    PRIMARY KEY (lead_id, position)
) WITHOUT ROWID;
CREATE INDEX lead_phones_by_e164 ON lead_phones (e164);

CREATE TABLE lead_tags (
    lead_id INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    tag     TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (lead_id, tag)
) WITHOUT ROWID;
CREATE INDEX lead_tags_by_tag ON lead_tags (tag, lead_id);

-- Contentless: the text lives in the tables above; rowid = leads.id. Kept in sync by the storage layer in the
-- same transaction as each lead write (contact points come from child tables, so triggers cannot build it).
-- detail=none: searches are AND-ed prefix terms, never phrases, so positions are dead weight.
-- prefix='1 2 3': the short prefixes people type first would otherwise merge thousands of doclists; longer
-- prefixes are expanded to their few whole terms through leads_fts_terms (see store::leads::search_match).
CREATE VIRTUAL TABLE leads_fts USING fts5 (
    name, company, emails, phones, notes,
    content = '',
    contentless_delete = 1,
    detail = none,
    prefix = '1 2 3',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- The index's vocabulary, for expanding a typed prefix into the whole terms it stands for.
CREATE VIRTUAL TABLE leads_fts_terms USING fts5vocab (leads_fts, 'row');
