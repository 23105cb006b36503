-- The compatibility gateway (MOU Schedule 1) in tables of its own: the service catalogue, a
-- partnership's opportunities with their offers to the preferred partners, its criteria sets
-- (the criteria with their weights, and the rule) and each council's ratings, one row per
-- rating. Every field a page or the API filters, sorts, groups or joins on is a column; a
-- status history and the other partners of an opportunity, and a partner's answers, are JSON.
-- Each record keeps its header in `records` (access class, reference, version), joined 1:1.
--
-- `*_search` columns hold the text in lower case (Unicode lower-casing, done by Accord), so
-- "contains, in any case" is the same `LIKE` on both databases; `*_key` columns hold a name in
-- ASCII lower case, the case the gateway ignores when it keeps names unique.

-- The catalogue: instance-wide, its header published and in no partnership.
CREATE TABLE services (
    record_id  INTEGER PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
    name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    name_key   TEXT NOT NULL UNIQUE,
    category   TEXT NOT NULL CHECK (category IN ('back-office', 'customer-services', 'regulatory', 'environment-transport-waste', 'childrens', 'adults', 'legal', 'procurement', 'management'))
);

-- An opportunity: a service a partnership might share. Its reference (OPP-7) is its number in
-- the partnership's programme; the service is copied as it was named when raised.
CREATE TABLE opportunities (
    record_id        INTEGER PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
    partnership_id   INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    number           INTEGER NOT NULL CHECK (number > 0),
    reference        TEXT NOT NULL,
    service_id       INTEGER REFERENCES services (record_id) ON DELETE SET NULL,
    service_name     TEXT NOT NULL CHECK (length(service_name) BETWEEN 1 AND 200),
    service_category TEXT NOT NULL CHECK (service_category IN ('back-office', 'customer-services', 'regulatory', 'environment-transport-waste', 'childrens', 'adults', 'legal', 'procurement', 'management')),
    service_search   TEXT NOT NULL,
    scope            TEXT NOT NULL CHECK (length(scope) BETWEEN 1 AND 5000),
    scope_search     TEXT NOT NULL,
    originating_gss  TEXT NOT NULL CHECK (length(originating_gss) = 9),
    wave             INTEGER CHECK (wave BETWEEN 1 AND 99),
    phase            INTEGER CHECK (phase BETWEEN 1 AND 99),
    size             TEXT CHECK (size IN ('small', 'large')),
    status           TEXT NOT NULL CHECK (status IN ('identified', 'offered-to-preferred-partner', 'assessing', 'passed', 'passed-with-conditions', 'deferred', 'not-pursued', 'handed-to-delivery')),
    status_reason    TEXT,
    re_evaluate      DATE,
    raised_on        DATE NOT NULL,
    last_changed     DATE NOT NULL,
    history          TEXT NOT NULL,
    other_partners   TEXT NOT NULL,
    source           TEXT,
    -- A deferral has its date and only a deferral; a dropped opportunity has its reason.
    CHECK ((status = 'deferred') = (re_evaluate IS NOT NULL)),
    CHECK ((status = 'not-pursued') = (status_reason IS NOT NULL)),
    CHECK (last_changed >= raised_on),
    UNIQUE (partnership_id, number),
    UNIQUE (partnership_id, reference)
);
CREATE INDEX opportunities_list ON opportunities (partnership_id, status, phase, number);

-- The offer of an opportunity to each preferred partner (MOU 3.2.1), with the answer that
-- stands; every answer, oldest first, is JSON.
CREATE TABLE opportunity_offers (
    opportunity_id INTEGER NOT NULL REFERENCES opportunities (record_id) ON DELETE CASCADE,
    position       INTEGER NOT NULL CHECK (position >= 0),
    partner_gss    TEXT NOT NULL CHECK (length(partner_gss) = 9),
    offered_on     DATE NOT NULL,
    answer         TEXT CHECK (answer IN ('accept', 'not-ready', 'has-another-partner')),
    answered_on    DATE,
    responses      TEXT NOT NULL,
    CHECK ((answer IS NULL) = (answered_on IS NULL)),
    CHECK (answered_on IS NULL OR answered_on >= offered_on),
    PRIMARY KEY (opportunity_id, position),
    UNIQUE (opportunity_id, partner_gss)
);

-- A partnership's criteria set: one numbered version of its criteria and its rule. A new
-- version never changes an old one: an assessment keeps the set it used.
CREATE TABLE criteria_sets (
    record_id          INTEGER PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
    partnership_id     INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    version            INTEGER NOT NULL CHECK (version > 0),
    published_on       DATE,
    published_by       TEXT NOT NULL,
    note               TEXT NOT NULL,
    combination        TEXT NOT NULL CHECK (combination IN ('worst', 'majority', 'mean')),
    critical_red_fails INTEGER NOT NULL CHECK (critical_red_fails IN (0, 1)),
    threshold_micros   INTEGER NOT NULL CHECK (threshold_micros BETWEEN 0 AND 1000000),
    max_below_green    INTEGER CHECK (max_below_green >= 0),
    UNIQUE (partnership_id, version)
);

-- The criteria of a set, in the order pages show them. Weights are whole millionths.
CREATE TABLE criteria (
    criteria_set_id INTEGER NOT NULL REFERENCES criteria_sets (record_id) ON DELETE CASCADE,
    position        INTEGER NOT NULL CHECK (position BETWEEN 0 AND 29),
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    name_key        TEXT NOT NULL,
    weight_micros   INTEGER NOT NULL CHECK (weight_micros BETWEEN 0 AND 1000000000),
    critical        INTEGER NOT NULL CHECK (critical IN (0, 1)),
    PRIMARY KEY (criteria_set_id, position),
    UNIQUE (criteria_set_id, name_key)
);

-- One council's ratings of one opportunity under one criteria set: the record that carries
-- who may see them (the council owns them; a council-only draft stays with it) and their
-- history. Its stored kind is `assessment`, the name an earlier release gave it.
CREATE TABLE council_ratings (
    record_id       INTEGER PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
    partnership_id  INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    opportunity_id  INTEGER NOT NULL REFERENCES opportunities (record_id) ON DELETE CASCADE,
    criteria_set_id INTEGER NOT NULL REFERENCES criteria_sets (record_id),
    council_gss     TEXT NOT NULL CHECK (length(council_gss) = 9),
    rated_on        DATE NOT NULL,
    rated_by        TEXT NOT NULL CHECK (length(rated_by) > 0),
    illustrative    INTEGER NOT NULL CHECK (illustrative IN (0, 1)),
    UNIQUE (opportunity_id, criteria_set_id, council_gss),
    UNIQUE (record_id, opportunity_id, criteria_set_id, council_gss)
);

-- The ratings, one row per council per criterion: the matrix, the combined ratings and the
-- outcome are queries over these rows.
CREATE TABLE ratings (
    council_ratings_id INTEGER NOT NULL,
    partnership_id     INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    opportunity_id     INTEGER NOT NULL,
    criteria_set_id    INTEGER NOT NULL,
    council_gss        TEXT NOT NULL,
    position           INTEGER NOT NULL,
    rating             TEXT NOT NULL CHECK (rating IN ('red', 'amber', 'green')),
    rationale          TEXT NOT NULL CHECK (length(rationale) BETWEEN 1 AND 5000),
    evidence           TEXT CHECK (length(evidence) BETWEEN 1 AND 5000),
    FOREIGN KEY (council_ratings_id, opportunity_id, criteria_set_id, council_gss)
        REFERENCES council_ratings (record_id, opportunity_id, criteria_set_id, council_gss) ON DELETE CASCADE,
    FOREIGN KEY (criteria_set_id, position) REFERENCES criteria (criteria_set_id, position),
    UNIQUE (opportunity_id, criteria_set_id, council_gss, position)
);
CREATE INDEX ratings_partnership ON ratings (partnership_id, opportunity_id);
CREATE INDEX ratings_council_ratings ON ratings (council_ratings_id);
