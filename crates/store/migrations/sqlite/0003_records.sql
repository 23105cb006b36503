-- Every classified record of the features (opportunities, projects, papers, decisions, RAID
-- items, business cases, requests, …): the columns access control and lists need are real
-- columns; the rest of the record is its domain value as JSON.

CREATE TABLE records (
    id                  INTEGER PRIMARY KEY,
    kind                TEXT NOT NULL,
    area                TEXT NOT NULL,
    partnership_id      INTEGER REFERENCES partnerships (id) ON DELETE CASCADE,
    parent_id           INTEGER REFERENCES records (id) ON DELETE CASCADE,
    owner_gss           TEXT,
    classification      TEXT NOT NULL,
    embargo_until       TEXT,
    embargo_decision_id INTEGER,
    release_class       TEXT,
    status              TEXT,
    key_date            TEXT,
    title               TEXT NOT NULL,
    body                TEXT NOT NULL,
    version             INTEGER NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX records_kind_partnership ON records (kind, partnership_id, status, key_date);
CREATE INDEX records_parent ON records (parent_id);
CREATE INDEX records_embargo ON records (classification, embargo_until);
CREATE INDEX records_embargo_decision ON records (embargo_decision_id);
