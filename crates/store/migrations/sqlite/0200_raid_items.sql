-- A record's own reference (R12, FOI-2026-0113), unique among the records of its kind in its
-- partnership: addresses name records by it, never by their storage id.
ALTER TABLE records ADD COLUMN reference TEXT;
CREATE UNIQUE INDEX records_reference ON records (partnership_id, kind, reference) WHERE reference IS NOT NULL;

-- The RAID log in a table of its own. Every field a page or the API filters, sorts, groups or
-- counts on is a column; an item's mitigations and escalations (nested lists) are JSON. The
-- record header (`records`) keeps what every record shares: access class, embargo, version.
--
-- `*_search` columns hold the text in lower case (Unicode lower-casing, done by Accord), so
-- "contains, in any case" is the same `LIKE` on both databases.

CREATE TABLE raid_items (
    record_id            INTEGER PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
    partnership_id       INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    number               INTEGER NOT NULL CHECK (number > 0),
    reference            TEXT NOT NULL,
    kind                 TEXT NOT NULL CHECK (kind IN ('risk', 'assumption', 'issue', 'dependency')),
    status               TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    title                TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    description          TEXT NOT NULL,
    owner                TEXT NOT NULL CHECK (length(owner) > 0),
    project_id           INTEGER,
    raised_on            DATE NOT NULL,
    board                TEXT NOT NULL CHECK (board IN ('projects', 'programme', 'senior-stakeholder')),
    inherent_probability INTEGER CHECK (inherent_probability BETWEEN 1 AND 5),
    inherent_impact      INTEGER CHECK (inherent_impact BETWEEN 1 AND 5),
    residual_probability INTEGER CHECK (residual_probability BETWEEN 1 AND 5),
    residual_impact      INTEGER CHECK (residual_impact BETWEEN 1 AND 5),
    inherent_score       INTEGER,
    residual_score       INTEGER,
    proximity            DATE,
    validate_by          DATE,
    validated_on         DATE,
    severity             INTEGER CHECK (severity BETWEEN 1 AND 5),
    resolve_by           DATE,
    from_project_id      INTEGER,
    to_project_id        INTEGER,
    needed_by            DATE,
    closed_on            DATE,
    resolution           TEXT,
    escalated_to         TEXT CHECK (escalated_to IN ('projects', 'programme', 'senior-stakeholder')),
    escalated_on         DATE,
    title_search         TEXT NOT NULL,
    description_search   TEXT NOT NULL,
    owner_search         TEXT NOT NULL,
    mitigations          TEXT NOT NULL,
    escalations          TEXT NOT NULL,
    -- A risk has both scores, and mitigation never makes it worse; other kinds have none.
    CHECK ((kind = 'risk') = (inherent_score IS NOT NULL AND residual_score IS NOT NULL)),
    CHECK (inherent_score = inherent_probability * inherent_impact),
    CHECK (residual_score = residual_probability * residual_impact),
    CHECK (residual_score <= inherent_score),
    CHECK ((kind = 'issue') = (severity IS NOT NULL)),
    CHECK ((kind = 'dependency') = (from_project_id IS NOT NULL AND to_project_id IS NOT NULL)),
    CHECK ((status = 'closed') = (closed_on IS NOT NULL)),
    UNIQUE (partnership_id, number),
    UNIQUE (partnership_id, reference)
);
CREATE INDEX raid_items_list ON raid_items (partnership_id, status, kind, number);
CREATE INDEX raid_items_escalated ON raid_items (partnership_id, escalated_on) WHERE escalated_on IS NOT NULL;

-- Data moves that SQL alone cannot make (they decode a record's JSON with Accord's own types)
-- run once each, after the migration that makes room for them, and are noted here.
CREATE TABLE data_upgrades (
    name       TEXT PRIMARY KEY,
    applied_at TEXT NOT NULL
);
