-- Reference data about councils beyond the register: population estimates, budgets by
-- service category, and which councils border which.

CREATE TABLE authority_populations (
    code       TEXT PRIMARY KEY REFERENCES authorities (code) ON DELETE CASCADE,
    year       INTEGER NOT NULL,
    population INTEGER NOT NULL,
    source     TEXT NOT NULL
);

CREATE TABLE authority_budgets (
    code         TEXT NOT NULL REFERENCES authorities (code) ON DELETE CASCADE,
    category     TEXT NOT NULL,
    label        TEXT NOT NULL,
    amount_pence INTEGER NOT NULL,
    total_pence  INTEGER NOT NULL,
    PRIMARY KEY (code, category)
);

-- Each border is stored in both directions; `derived` marks county borders worked out from
-- their districts' borders.
CREATE TABLE authority_neighbours (
    code      TEXT NOT NULL REFERENCES authorities (code) ON DELETE CASCADE,
    neighbour TEXT NOT NULL REFERENCES authorities (code) ON DELETE CASCADE,
    derived   INTEGER NOT NULL,
    PRIMARY KEY (code, neighbour)
);
