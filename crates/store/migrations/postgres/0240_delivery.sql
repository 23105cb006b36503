-- Delivery (Schedule 2) in tables of its own: projects with their stages, activities, phases
-- and milestones; the tolerance exceptions escalated to the Programme Board; highlight reports;
-- and the published programme progress reports. Each record keeps its header in `records`
-- (access class, embargo, version, history), joined 1:1 by `record_id`. Every field a page or
-- the API filters, sorts, counts or constrains on is a column; lists never queried (a
-- project's councils, its benefits, a gate's approvals, published versions) are JSON.
--
-- Every dated item (a stage's completion, a phase's start, a milestone) keeps its baseline,
-- forecast and actual as columns, and three more that Accord works out when it writes the row
-- so that "beyond tolerance" is a comparison of dates on both databases:
-- `expected_on` (the forecast, else the baseline), `expected_end` (the last day `expected_on`
-- can mean at the date's precision: the end of the month for "Sep 2011") and
-- `tolerance_until` (the baseline plus the project's time tolerance). An item not done is
-- beyond tolerance on day T when `expected_on > tolerance_until`, or when T is past
-- `expected_end` and past `tolerance_until`: the domain's rule, in SQL.

CREATE TABLE projects (
    record_id             BIGINT PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
    partnership_id        BIGINT NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    number                INTEGER NOT NULL CHECK (number > 0),
    reference             TEXT NOT NULL,
    name                  TEXT NOT NULL CHECK (length(name) > 0),
    name_search           TEXT NOT NULL,
    size                  TEXT CHECK (size IN ('small', 'large')),
    starts_on             DATE,
    tolerance_days        INTEGER NOT NULL CHECK (tolerance_days BETWEEN 0 AND 366),
    outcome               TEXT NOT NULL CHECK (outcome IN ('being-implemented', 'business-case-in-development',
                              'under-evaluation', 'collaboration-only', 'not-pursued-market-testing', 're-evaluate',
                              'not-stated')),
    re_evaluate_when      TEXT,
    opportunity           TEXT NOT NULL,
    opportunity_id        BIGINT REFERENCES records (id),
    implementation        TEXT NOT NULL,
    savings_kind          TEXT NOT NULL CHECK (savings_kind IN ('amount', 'tba', 'not-stated')),
    savings_pence         BIGINT,
    councils              JSONB NOT NULL,
    non_cashable_benefits JSONB NOT NULL,
    source                TEXT,
    CHECK ((savings_kind = 'amount') = (savings_pence IS NOT NULL)),
    CHECK ((outcome = 're-evaluate') = (re_evaluate_when IS NOT NULL)),
    UNIQUE (partnership_id, number),
    UNIQUE (partnership_id, reference)
);
CREATE INDEX projects_list ON projects (partnership_id, number);
CREATE INDEX projects_opportunity ON projects (opportunity_id) WHERE opportunity_id IS NOT NULL;

CREATE TABLE project_stages (
    project_id      BIGINT NOT NULL REFERENCES projects (record_id) ON DELETE CASCADE,
    stage           TEXT NOT NULL CHECK (stage IN ('assess-value', 'define-strategy', 'create-design', 'build-and-deploy')),
    ordinal         INTEGER NOT NULL CHECK (ordinal >= 0),
    baseline        DATE NOT NULL,
    forecast        DATE,
    actual          DATE,
    date_precision  TEXT NOT NULL CHECK (date_precision IN ('day', 'month', 'early-month', 'end-of-month', 'mid-year', 'end-of-year')),
    expected_on     DATE NOT NULL,
    expected_end    DATE NOT NULL,
    tolerance_until DATE NOT NULL,
    gate            JSONB,
    PRIMARY KEY (project_id, stage),
    UNIQUE (project_id, ordinal)
);

CREATE TABLE project_activities (
    project_id BIGINT NOT NULL,
    stage      TEXT NOT NULL,
    ordinal    INTEGER NOT NULL CHECK (ordinal >= 0),
    name       TEXT NOT NULL,
    track      TEXT CHECK (track IN ('members', 'directors-and-senior-managers', 'staff', 'trade-unions',
                   'service-users', 'press-and-public-affairs')),
    done_on    DATE,
    PRIMARY KEY (project_id, stage, ordinal),
    FOREIGN KEY (project_id, stage) REFERENCES project_stages (project_id, stage) ON DELETE CASCADE
);

CREATE TABLE project_phases (
    project_id      BIGINT NOT NULL REFERENCES projects (record_id) ON DELETE CASCADE,
    number          INTEGER NOT NULL CHECK (number > 0),
    ordinal         INTEGER NOT NULL CHECK (ordinal >= 0),
    name            TEXT NOT NULL,
    description     TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('planned', 'underway', 'complete')),
    baseline        DATE,
    forecast        DATE,
    actual          DATE,
    date_precision  TEXT CHECK (date_precision IN ('day', 'month', 'early-month', 'end-of-month', 'mid-year', 'end-of-year')),
    expected_on     DATE,
    expected_end    DATE,
    tolerance_until DATE,
    note            TEXT,
    -- A phase with no start stated has no dates at all.
    CHECK ((baseline IS NULL) = (date_precision IS NULL)),
    CHECK ((baseline IS NULL) = (expected_on IS NULL)),
    CHECK (baseline IS NOT NULL OR (forecast IS NULL AND actual IS NULL)),
    PRIMARY KEY (project_id, number)
);

CREATE TABLE project_milestones (
    project_id      BIGINT NOT NULL REFERENCES projects (record_id) ON DELETE CASCADE,
    number          INTEGER NOT NULL CHECK (number > 0),
    ordinal         INTEGER NOT NULL CHECK (ordinal >= 0),
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('delivery', 'decision', 'review')),
    stage           TEXT CHECK (stage IN ('assess-value', 'define-strategy', 'create-design', 'build-and-deploy')),
    phase           INTEGER,
    baseline        DATE NOT NULL,
    forecast        DATE,
    actual          DATE,
    date_precision  TEXT NOT NULL CHECK (date_precision IN ('day', 'month', 'early-month', 'end-of-month', 'mid-year', 'end-of-year')),
    expected_on     DATE NOT NULL,
    expected_end    DATE NOT NULL,
    tolerance_until DATE NOT NULL,
    note            TEXT,
    PRIMARY KEY (project_id, number)
);
-- "Due this month" and "beyond tolerance" read the items not yet done by their expected date.
CREATE INDEX project_milestones_open ON project_milestones (expected_on) WHERE actual IS NULL;

-- A tolerance exception escalated to a board: one per item of a project, ever.
CREATE TABLE escalations (
    record_id      BIGINT PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    project_id     BIGINT NOT NULL REFERENCES projects (record_id) ON DELETE CASCADE,
    item           TEXT NOT NULL,
    board          TEXT NOT NULL CHECK (board IN ('projects', 'programme', 'senior-stakeholder')),
    escalated_on   DATE NOT NULL,
    title          TEXT NOT NULL,
    UNIQUE (project_id, item)
);
CREATE INDEX escalations_partnership ON escalations (partnership_id, escalated_on);

-- A project's highlight report for one period: the draft's ratings and text, and every
-- published version (each frozen with its digest) as JSON.
CREATE TABLE highlight_reports (
    record_id          BIGINT PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
    partnership_id     BIGINT NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    project_id         BIGINT NOT NULL REFERENCES projects (record_id) ON DELETE CASCADE,
    number             INTEGER NOT NULL CHECK (number > 0),
    period_start       DATE NOT NULL,
    period_end         DATE NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    confidence         TEXT NOT NULL CHECK (confidence IN ('green', 'amber-green', 'amber', 'amber-red', 'red')),
    time_rating        TEXT NOT NULL CHECK (time_rating IN ('green', 'amber', 'red')),
    cost_rating        TEXT NOT NULL CHECK (cost_rating IN ('green', 'amber', 'red')),
    scope_rating       TEXT NOT NULL CHECK (scope_rating IN ('green', 'amber', 'red')),
    benefits_rating    TEXT NOT NULL CHECK (benefits_rating IN ('green', 'amber', 'red')),
    narrative          TEXT NOT NULL,
    next_steps         JSONB NOT NULL,
    for_escalation     JSONB NOT NULL,
    author             TEXT NOT NULL,
    published_versions INTEGER NOT NULL CHECK (published_versions >= 0),
    versions           JSONB NOT NULL,
    CHECK (period_end >= period_start),
    CHECK ((status = 'published') = (published_versions > 0)),
    UNIQUE (project_id, number)
);

-- A published version of the programme progress report, frozen with its digest.
CREATE TABLE progress_reports (
    record_id      BIGINT PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    version        INTEGER NOT NULL CHECK (version > 0),
    published_on   DATE NOT NULL,
    as_at          DATE NOT NULL,
    title          TEXT NOT NULL,
    digest         TEXT NOT NULL,
    report         JSONB NOT NULL,
    CHECK (published_on >= as_at),
    UNIQUE (partnership_id, version)
);
