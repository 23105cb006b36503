-- Accounts, roles, sessions, API tokens, password resets and sign-in throttling.

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    email               TEXT NOT NULL UNIQUE,
    display_name        TEXT NOT NULL,
    home_gss            TEXT REFERENCES authorities (gss),
    password_hash       TEXT NOT NULL,
    admin               INTEGER NOT NULL DEFAULT 0,
    disabled            INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT NOT NULL,
    password_changed_at TEXT NOT NULL
);

CREATE TABLE grants (
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    role           TEXT NOT NULL,
    PRIMARY KEY (user_id, partnership_id, role)
);
CREATE INDEX grants_partnership ON grants (partnership_id);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);

CREATE TABLE throttle (
    key              TEXT PRIMARY KEY,
    failures         INTEGER NOT NULL,
    last_failure_at  TEXT NOT NULL
);
