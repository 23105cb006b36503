-- Reference data, partnerships, MOUs and the audit trail.

CREATE TABLE authorities (
    code          TEXT PRIMARY KEY,
    gss           TEXT UNIQUE,
    official_name TEXT NOT NULL,
    short_name    TEXT NOT NULL,
    kind          TEXT NOT NULL,
    region        TEXT NOT NULL,
    nation        TEXT NOT NULL,
    population    INTEGER,
    lat           REAL,
    long          REAL,
    start_date    TEXT,
    end_date      TEXT,
    successors    TEXT NOT NULL DEFAULT '',
    county        TEXT,
    slug          TEXT,
    source        TEXT
);
CREATE INDEX authorities_short_name ON authorities (lower(short_name));

CREATE TABLE bank_holidays (
    division TEXT NOT NULL,
    date     TEXT NOT NULL,
    title    TEXT NOT NULL,
    notes    TEXT NOT NULL DEFAULT '',
    bunting  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (division, date)
);

CREATE TABLE partnerships (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    summary        TEXT NOT NULL DEFAULT '',
    source         TEXT,
    classification TEXT NOT NULL DEFAULT 'published',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

CREATE TABLE members (
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    authority_gss  TEXT NOT NULL REFERENCES authorities (gss),
    position       INTEGER NOT NULL,
    role           TEXT NOT NULL,
    status         TEXT NOT NULL,
    joined         TEXT,
    left_on        TEXT,
    PRIMARY KEY (partnership_id, authority_gss)
);
CREATE INDEX members_authority ON members (authority_gss);

CREATE TABLE mous (
    partnership_id      INTEGER PRIMARY KEY REFERENCES partnerships (id) ON DELETE CASCADE,
    agreed              TEXT,
    signed              TEXT,
    commencement        TEXT,
    end_kind            TEXT NOT NULL,
    end_date            TEXT,
    end_event           TEXT,
    legally_binding     INTEGER NOT NULL,
    preferred_partner   INTEGER NOT NULL,
    principles          TEXT NOT NULL,
    mou_values          TEXT NOT NULL,
    quarterly_review_by TEXT,
    annual_review_by    TEXT,
    cost_sharing        TEXT NOT NULL,
    source              TEXT
);

CREATE TABLE mou_events (
    id             INTEGER PRIMARY KEY,
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    body           TEXT NOT NULL,
    event_date     TEXT NOT NULL,
    recorded_at    TEXT NOT NULL
);
CREATE INDEX mou_events_partnership ON mou_events (partnership_id, id);

-- One row that every audited transaction updates first: it serialises writers so the
-- chain cannot fork, and holds the chain's head.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit (
    seq            INTEGER PRIMARY KEY,
    at             TEXT NOT NULL,
    actor_id       INTEGER,
    actor          TEXT NOT NULL,
    action         TEXT NOT NULL,
    record_kind    TEXT NOT NULL,
    record_id      TEXT NOT NULL,
    partnership_id INTEGER,
    before_json    TEXT,
    after_json     TEXT,
    reason         TEXT,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);
CREATE INDEX audit_record ON audit (record_kind, record_id);
CREATE INDEX audit_partnership ON audit (partnership_id);
CREATE INDEX audit_actor ON audit (actor);
