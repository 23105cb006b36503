-- Finance in tables of its own: business cases, allocations, the savings ledger and external
-- funding awards with their tranches. Each record keeps its header in `records` (access class,
-- embargo, reference, version); its row here has a column for every field a page or the API
-- filters, sorts, groups, counts, sums, joins or constrains on. Nested values (a case's options
-- with their cost and savings lines, its appraisal, an allocation's coalition costs and
-- results) are JSON.
--
-- Money is whole pence. A financial year is the calendar year it starts in (2012 for 2012/13).
-- `*_search` columns hold text in lower case (Unicode lower-casing, done by Accord), so
-- "contains, in any case" is the same `LIKE` on both databases.

-- Lets a finance row name a record of a given kind in its own partnership (a saving's project,
-- a case's opportunity, an allocation's business case) with one foreign key that checks all
-- three at once.
CREATE UNIQUE INDEX records_partnership_kind_id ON records (partnership_id, kind, id);

CREATE TABLE business_cases (
    record_id        INTEGER PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
    partnership_id   INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    number           INTEGER NOT NULL CHECK (number > 0),
    reference        TEXT NOT NULL,
    name             TEXT NOT NULL CHECK (length(trim(name)) > 0),
    name_search      TEXT NOT NULL,
    stage            TEXT CHECK (stage IN ('strategic_outline', 'outline', 'full')),
    status           TEXT NOT NULL CHECK (status IN ('makes-clear-financial-sense', 'not-clear')),
    opportunity_kind TEXT NOT NULL DEFAULT 'opportunity' CHECK (opportunity_kind = 'opportunity'),
    opportunity_id   INTEGER,
    base_year        INTEGER CHECK (base_year BETWEEN 1900 AND 2199),
    appraisal_years  INTEGER NOT NULL CHECK (appraisal_years >= 0),
    -- The option the appraisal prefers, and the financial NPV (pence) of that option, else of
    -- the best option: what the list shows and sorts by.
    preferred_option TEXT,
    financial_npv    INTEGER,
    projected_saving TEXT,
    illustrative     TEXT,
    source           TEXT,
    case_input       TEXT NOT NULL,
    appraisal        TEXT,
    CHECK ((status = 'makes-clear-financial-sense') = (preferred_option IS NOT NULL)),
    UNIQUE (partnership_id, number),
    UNIQUE (partnership_id, reference),
    FOREIGN KEY (partnership_id, opportunity_kind, opportunity_id) REFERENCES records (partnership_id, kind, id)
);
CREATE INDEX business_cases_list ON business_cases (partnership_id, status, stage, number);

-- The councils that share a case's costs and savings, in the case's order.
CREATE TABLE business_case_councils (
    record_id   INTEGER NOT NULL REFERENCES business_cases (record_id) ON DELETE CASCADE,
    position    INTEGER NOT NULL CHECK (position >= 0),
    council_gss TEXT NOT NULL REFERENCES authorities (gss),
    PRIMARY KEY (record_id, council_gss),
    UNIQUE (record_id, position)
);
CREATE INDEX business_case_councils_council ON business_case_councils (council_gss);

CREATE TABLE allocations (
    record_id          INTEGER PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
    partnership_id     INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    number             INTEGER NOT NULL CHECK (number > 0),
    reference          TEXT NOT NULL,
    title              TEXT NOT NULL CHECK (length(trim(title)) > 0),
    title_search       TEXT NOT NULL,
    business_case_kind TEXT NOT NULL DEFAULT 'business_case' CHECK (business_case_kind = 'business_case'),
    business_case_id   INTEGER,
    driver             TEXT NOT NULL CHECK (driver IN ('population', 'budget', 'transactions', 'headcount')),
    status             TEXT NOT NULL CHECK (status IN ('core-empty', 'core-not-empty', 'not-computed')),
    illustrative       TEXT,
    source             TEXT,
    -- What was entered: every coalition's cost or the coalition model, driver figures, a
    -- proposed split. Then what Accord computed from it.
    inputs             TEXT NOT NULL,
    driver_used        TEXT,
    result             TEXT,
    UNIQUE (partnership_id, number),
    UNIQUE (partnership_id, reference),
    FOREIGN KEY (partnership_id, business_case_kind, business_case_id) REFERENCES records (partnership_id, kind, id)
);
CREATE INDEX allocations_list ON allocations (partnership_id, number);
CREATE INDEX allocations_business_case ON allocations (business_case_id) WHERE business_case_id IS NOT NULL;

-- The councils an allocation splits between, in order; those that join later are flagged.
CREATE TABLE allocation_councils (
    record_id   INTEGER NOT NULL REFERENCES allocations (record_id) ON DELETE CASCADE,
    position    INTEGER NOT NULL CHECK (position >= 0),
    council_gss TEXT NOT NULL REFERENCES authorities (gss),
    joining     BOOLEAN NOT NULL CHECK (joining IN (0, 1)),
    PRIMARY KEY (record_id, council_gss),
    UNIQUE (record_id, position)
);
CREATE INDEX allocation_councils_council ON allocation_councils (council_gss);

-- The savings ledger: one row per line (one project, one council, one financial year).
CREATE TABLE savings (
    record_id      INTEGER PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    number         INTEGER NOT NULL CHECK (number > 0),
    reference      TEXT NOT NULL,
    project        TEXT NOT NULL CHECK (length(trim(project)) > 0),
    project_search TEXT NOT NULL,
    project_kind   TEXT NOT NULL DEFAULT 'project' CHECK (project_kind = 'project'),
    project_id     INTEGER,
    milestone      INTEGER CHECK (milestone > 0),
    council_gss    TEXT NOT NULL REFERENCES authorities (gss),
    financial_year INTEGER NOT NULL CHECK (financial_year BETWEEN 1900 AND 2199),
    planned        INTEGER NOT NULL CHECK (planned >= 0),
    forecast       INTEGER CHECK (forecast >= 0),
    achieved       INTEGER CHECK (achieved >= 0),
    cashable       BOOLEAN NOT NULL CHECK (cashable IN (0, 1)),
    recurrence     TEXT NOT NULL CHECK (recurrence IN ('recurring', 'one_off')),
    in_mtfs        BOOLEAN NOT NULL CHECK (in_mtfs IN (0, 1)),
    -- The rating as reported (when it was), the rating before milestones are looked at (as
    -- reported, else as the figures give it), and whether the line is delivered: what the
    -- ledger filters and the at-risk sums need, with the slipped milestones given per query.
    reported_brag  TEXT CHECK (reported_brag IN ('blue', 'green', 'amber', 'red')),
    brag           TEXT NOT NULL CHECK (brag IN ('blue', 'green', 'amber', 'red')),
    delivered      BOOLEAN NOT NULL CHECK (delivered IN (0, 1)),
    note           TEXT,
    source         TEXT,
    CHECK (milestone IS NULL OR project_id IS NOT NULL),
    CHECK (reported_brag IS NULL OR brag = reported_brag),
    UNIQUE (partnership_id, number),
    UNIQUE (partnership_id, reference),
    FOREIGN KEY (partnership_id, project_kind, project_id) REFERENCES records (partnership_id, kind, id)
);
CREATE INDEX savings_ledger ON savings (partnership_id, project, council_gss, financial_year, number);
CREATE INDEX savings_by_year ON savings (partnership_id, financial_year, council_gss);
CREATE INDEX savings_project ON savings (project_id) WHERE project_id IS NOT NULL;

-- External funding: an award from a funder, and its tranches, one per financial year.
CREATE TABLE funding_awards (
    record_id          INTEGER PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
    partnership_id     INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    number             INTEGER NOT NULL CHECK (number > 0),
    reference          TEXT NOT NULL,
    name               TEXT NOT NULL CHECK (length(trim(name)) > 0),
    name_search        TEXT NOT NULL,
    funder             TEXT NOT NULL CHECK (length(trim(funder)) > 0),
    funder_search      TEXT NOT NULL,
    purpose            TEXT NOT NULL,
    business_case_kind TEXT NOT NULL DEFAULT 'business_case' CHECK (business_case_kind = 'business_case'),
    business_case_id   INTEGER,
    status             TEXT NOT NULL CHECK (status IN ('confirmed', 'conditional')),
    source             TEXT,
    UNIQUE (partnership_id, number),
    UNIQUE (partnership_id, reference),
    FOREIGN KEY (partnership_id, business_case_kind, business_case_id) REFERENCES records (partnership_id, kind, id)
);
CREATE INDEX funding_awards_list ON funding_awards (partnership_id, number);
CREATE INDEX funding_awards_business_case ON funding_awards (business_case_id) WHERE business_case_id IS NOT NULL;

-- Only confirmed money (no condition, or its condition met) can be drawn, and only drawn money
-- spent; a condition is given in words exactly when it has a status.
CREATE TABLE funding_tranches (
    award_id         INTEGER NOT NULL REFERENCES funding_awards (record_id) ON DELETE CASCADE,
    position         INTEGER NOT NULL CHECK (position >= 0),
    financial_year   INTEGER NOT NULL CHECK (financial_year BETWEEN 1900 AND 2199),
    awarded          INTEGER NOT NULL CHECK (awarded >= 0),
    condition        TEXT,
    condition_status TEXT NOT NULL CHECK (condition_status IN ('none', 'pending', 'met', 'not_met')),
    drawn            INTEGER CHECK (drawn >= 0),
    spent            INTEGER CHECK (spent >= 0),
    CHECK ((condition_status = 'none') = (condition IS NULL OR length(trim(condition)) = 0)),
    CHECK (drawn IS NULL OR drawn <= (CASE WHEN condition_status IN ('none', 'met') THEN awarded ELSE 0 END)),
    CHECK (spent IS NULL OR spent <= COALESCE(drawn, 0)),
    PRIMARY KEY (award_id, position),
    UNIQUE (award_id, financial_year)
);
