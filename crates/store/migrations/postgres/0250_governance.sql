-- Governance (Schedule 3) in tables of their own: the boards, their meetings, the papers
-- presented to them and their decisions logs. Each board, paper and decision keeps its header
-- row in `records` (access class, embargo, version, history); meetings belong to their board.

CREATE TABLE boards (
    record_id                BIGINT PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
    partnership_id           BIGINT NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    level                    TEXT NOT NULL CHECK (level IN ('projects', 'programme', 'senior-stakeholder')),
    name                     TEXT NOT NULL CHECK (length(name) > 0),
    cadence                  JSONB NOT NULL,
    councils                 JSONB NOT NULL,
    chair_rotation           JSONB NOT NULL,
    meetings_per_chair       INTEGER NOT NULL CHECK (meetings_per_chair > 0),
    default_duration_minutes INTEGER NOT NULL CHECK (default_duration_minutes > 0),
    members                  JSONB NOT NULL,
    last_meeting_number      INTEGER NOT NULL CHECK (last_meeting_number >= 0),
    source                   TEXT,
    UNIQUE (partnership_id, level)
);

CREATE TABLE board_meetings (
    board_id         BIGINT NOT NULL REFERENCES boards (record_id) ON DELETE CASCADE,
    number           INTEGER NOT NULL CHECK (number > 0),
    position         INTEGER NOT NULL,
    date             DATE NOT NULL,
    start_time       TEXT,
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes > 0),
    location         TEXT,
    chair_gss        TEXT,
    status           TEXT NOT NULL CHECK (status IN ('scheduled', 'held', 'cancelled')),
    agenda           JSONB NOT NULL,
    minutes          JSONB,
    PRIMARY KEY (board_id, number)
);
CREATE INDEX board_meetings_date ON board_meetings (board_id, date);

CREATE TABLE papers (
    record_id      BIGINT PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    board_id       BIGINT NOT NULL REFERENCES boards (record_id) ON DELETE CASCADE,
    meeting        INTEGER NOT NULL CHECK (meeting > 0),
    number         INTEGER NOT NULL CHECK (number > 0),
    title          TEXT NOT NULL CHECK (length(title) > 0),
    author         TEXT NOT NULL,
    informs        INTEGER,
    release        TEXT NOT NULL CHECK (release IN ('embargoed', 'released', 'exempt')),
    released_on    DATE,
    exempt_reason  TEXT,
    summary        TEXT NOT NULL,
    CHECK ((release = 'released') = (released_on IS NOT NULL)),
    CHECK ((release = 'exempt') = (exempt_reason IS NOT NULL)),
    UNIQUE (board_id, meeting, number)
);

CREATE TABLE decisions (
    record_id      BIGINT PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    board_id       BIGINT NOT NULL REFERENCES boards (record_id) ON DELETE CASCADE,
    number         INTEGER NOT NULL CHECK (number > 0),
    meeting        INTEGER,
    taken_on       DATE NOT NULL,
    title          TEXT NOT NULL CHECK (length(title) > 0),
    text           TEXT NOT NULL,
    key_decision   BOOLEAN NOT NULL,
    cabinet        JSONB,
    made_on        DATE,
    CHECK (key_decision = (cabinet IS NOT NULL)),
    CHECK (key_decision OR made_on = taken_on),
    UNIQUE (board_id, number)
);
CREATE INDEX decisions_log ON decisions (partnership_id, taken_on);
