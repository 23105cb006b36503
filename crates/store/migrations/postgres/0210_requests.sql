-- The register of information-law requests (MOU Schedule 4) in tables of its own: each request,
-- its requester (personal data), its internal review, a complaint to the Information
-- Commissioner, its entry in the public disclosure log, and the holidays proclaimed for this
-- instance. Every row is joined 1:1 to its header in `records`, which keeps what every record
-- shares: access class, embargo, reference, version. Every field a page or the API filters,
-- sorts, groups or counts on is a column; histories and other nested values are JSON.
--
-- `summary_search` holds the summary in lower case (Unicode lower-casing, done by Accord), so
-- "contains, in any case" is the same `LIKE` on both databases.

CREATE TABLE requests (
    record_id         BIGINT PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
    partnership_id    BIGINT NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    -- The register's own sequence, from which a reference is made when none is given.
    number            INTEGER NOT NULL CHECK (number > 0),
    reference         TEXT NOT NULL CHECK (length(reference) BETWEEN 1 AND 200),
    regime            TEXT NOT NULL CHECK (regime IN ('foi', 'eir', 'foisa', 'sar')),
    stage             TEXT NOT NULL CHECK (stage IN ('received', 'forwarded', 'acknowledged',
                          'awaiting_clarification', 'awaiting_fee', 'drafting', 'consultation',
                          'comms_clearance', 'response_sent', 'closed')),
    resume_stage      TEXT CHECK (resume_stage IN ('received', 'forwarded', 'acknowledged',
                          'awaiting_clarification', 'awaiting_fee', 'drafting', 'consultation',
                          'comms_clearance', 'response_sent', 'closed')),
    channel           TEXT NOT NULL CHECK (channel IN ('email', 'web_form', 'post', 'social_media',
                          'in_person', 'phone')),
    received_by       TEXT NOT NULL CHECK (length(received_by) = 9),
    received_at       TIMESTAMP NOT NULL,
    received_on       DATE NOT NULL,
    -- The quarter of receipt as year × 10 + quarter (20253 for 2025 Q3), as statistics group.
    received_quarter  INTEGER NOT NULL CHECK (received_quarter % 10 BETWEEN 1 AND 4),
    calendar          TEXT NOT NULL CHECK (calendar IN ('united-kingdom', 'england-and-wales',
                          'scotland', 'northern-ireland')),
    lead              TEXT CHECK (length(lead) = 9),
    -- The council the request counts for: the lead, or the receiving council until one is agreed.
    owner             TEXT NOT NULL,
    summary           TEXT NOT NULL CHECK (length(summary) > 0),
    summary_search    TEXT NOT NULL,
    forwarding_due    DATE NOT NULL,
    forwarded_on      DATE,
    due_on            DATE,
    extended_due_on   DATE,
    internal_target   DATE,
    -- The date the response must go by; none while the clock is stopped.
    answer_by         DATE,
    -- `answer_by`, with the clock stopped sorting last on both databases.
    answer_sort       DATE NOT NULL,
    -- The councils whose single points of contact must still sign off the draft, as
    -- `|E09000014|E09000031|` (empty when none), so a caseload finds its own in SQL.
    awaiting_sign_off TEXT NOT NULL,
    comms_cleared_on  DATE,
    responded_on      DATE,
    outcome           TEXT CHECK (outcome IN ('granted_in_full', 'partially_withheld',
                          'withheld_in_full', 'not_held', 'lapsed', 'withdrawn')),
    timeliness        TEXT CHECK (timeliness IN ('in_time', 'within_extension', 'late')),
    councils          JSONB NOT NULL,
    clock             JSONB NOT NULL,
    draft             JSONB,
    sign_offs         JSONB NOT NULL,
    response_parts    JSONB,
    flags             JSONB NOT NULL,
    history           JSONB NOT NULL,
    CHECK (owner = COALESCE(lead, received_by)),
    CHECK (answer_sort = COALESCE(answer_by, DATE '9999-12-31')),
    CHECK ((responded_on IS NULL) = (outcome IS NULL)),
    CHECK ((responded_on IS NULL) = (response_parts IS NULL)),
    CHECK (timeliness IS NULL OR outcome IS NOT NULL),
    CHECK (forwarded_on IS NULL OR forwarded_on >= received_on),
    CHECK (responded_on IS NULL OR responded_on >= received_on),
    UNIQUE (partnership_id, number),
    UNIQUE (partnership_id, reference)
);
CREATE INDEX requests_register ON requests (partnership_id, answer_sort, number);
CREATE INDEX requests_stage ON requests (partnership_id, stage, answer_sort, number);
CREATE INDEX requests_owner ON requests (partnership_id, owner, stage, answer_by);
CREATE INDEX requests_statistics ON requests (partnership_id, owner, regime, received_quarter, outcome, timeliness);

-- Who asked: personal data. Its header is classified `personal`, so only the information role
-- reads it, and the audit trail withholds it.
CREATE TABLE requesters (
    record_id      BIGINT PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
    request_id     BIGINT NOT NULL UNIQUE REFERENCES requests (record_id) ON DELETE CASCADE,
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    name           TEXT NOT NULL CHECK (length(name) > 0),
    contact        TEXT NOT NULL CHECK (length(contact) > 0)
);

-- An internal review of a response.
CREATE TABLE reviews (
    record_id      BIGINT PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
    request_id     BIGINT NOT NULL UNIQUE REFERENCES requests (record_id) ON DELETE CASCADE,
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    status         TEXT NOT NULL CHECK (status IN ('pending', 'decided')),
    requested_on   DATE NOT NULL,
    -- The date the decision is due by, while it is pending.
    due_on         DATE,
    decided_on     DATE,
    outcome        TEXT CHECK (outcome IN ('upheld', 'partially_upheld', 'overturned')),
    CHECK ((status = 'decided') = (decided_on IS NOT NULL)),
    CHECK ((decided_on IS NULL) = (outcome IS NULL)),
    CHECK (decided_on IS NULL OR decided_on >= requested_on)
);
CREATE INDEX reviews_pending ON reviews (partnership_id, status, due_on);

-- A complaint to the Information Commissioner, and the decision notice on it.
CREATE TABLE complaints (
    record_id         BIGINT PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
    request_id        BIGINT NOT NULL UNIQUE REFERENCES requests (record_id) ON DELETE CASCADE,
    partnership_id    BIGINT NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    status            TEXT NOT NULL CHECK (status IN ('open', 'decision_notice')),
    lodged_on         DATE NOT NULL,
    reference         TEXT NOT NULL CHECK (length(reference) > 0),
    notice_issued_on  DATE,
    steps_within_days INTEGER CHECK (steps_within_days BETWEEN 1 AND 366),
    CHECK ((status = 'decision_notice') = (notice_issued_on IS NOT NULL)),
    CHECK (steps_within_days IS NULL OR notice_issued_on IS NOT NULL),
    CHECK (notice_issued_on IS NULL OR notice_issued_on >= lodged_on)
);

-- The public disclosure log: one released response each, with no field for the requester.
CREATE TABLE disclosures (
    record_id      BIGINT PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
    request_id     BIGINT NOT NULL UNIQUE REFERENCES requests (record_id) ON DELETE CASCADE,
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    reference      TEXT NOT NULL,
    regime         TEXT NOT NULL CHECK (regime IN ('foi', 'eir', 'foisa')),
    received_on    DATE NOT NULL,
    responded_on   DATE NOT NULL,
    summary        TEXT NOT NULL,
    outcome        TEXT NOT NULL CHECK (outcome IN ('granted_in_full', 'partially_withheld')),
    exemptions     JSONB NOT NULL,
    CHECK (responded_on >= received_on)
);
CREATE INDEX disclosures_log ON disclosures (partnership_id, responded_on, record_id);

-- Bank holidays proclaimed for this instance after the last import of the GOV.UK feed.
CREATE TABLE proclaimed_holidays (
    record_id BIGINT PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
    date      DATE NOT NULL,
    title     TEXT NOT NULL CHECK (length(title) > 0),
    divisions JSONB NOT NULL,
    replaces  DATE
);
CREATE INDEX proclaimed_holidays_date ON proclaimed_holidays (date);
