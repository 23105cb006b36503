-- Failed sign-ins, kept apart from the audit trail: one row per address, account and window,
-- counting its attempts, rather than a hash-chained entry per attempt. They are written without
-- the audit trail's lock, so anonymous visitors neither grow the trail nor queue behind the
-- writers; 500 guesses from one address at random emails are one row.
CREATE TABLE security_events (
    kind               TEXT NOT NULL CHECK (kind IN ('sign-in-failed')),
    -- The client's address as the throttle sees it.
    address            TEXT NOT NULL,
    -- The account's email when an account has it; '' for every email that none has.
    account            TEXT NOT NULL,
    window_start       TIMESTAMPTZ NOT NULL,
    first_at           TIMESTAMPTZ NOT NULL,
    last_at            TIMESTAMPTZ NOT NULL,
    attempts           BIGINT NOT NULL CHECK (attempts > 0),
    -- Attempts refused without checking the passphrase, the account's budget being spent.
    refused_unchecked  BIGINT NOT NULL DEFAULT 0 CHECK (refused_unchecked >= 0 AND refused_unchecked <= attempts),
    PRIMARY KEY (kind, address, account, window_start)
);

CREATE INDEX security_events_recent ON security_events (last_at);
