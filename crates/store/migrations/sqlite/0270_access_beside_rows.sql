-- The two registers that grow to tens of thousands of rows (information requests, the RAID
-- log) carry a copy of their header's access columns, so that counting, grouping and paging
-- them applies the one access policy without joining every row to `records` (a join per row
-- made the request statistics of 100,000 requests take 0.4 s). `records` stays the original:
-- the triggers below copy its columns when a row is written and whenever the header changes,
-- so the copy cannot drift; `tests/access.rs` compares the two.

ALTER TABLE requests ADD COLUMN classification TEXT;
ALTER TABLE requests ADD COLUMN owner_gss TEXT;
ALTER TABLE requests ADD COLUMN embargo_until TEXT;
ALTER TABLE requests ADD COLUMN release_class TEXT;
ALTER TABLE raid_items ADD COLUMN classification TEXT;
ALTER TABLE raid_items ADD COLUMN owner_gss TEXT;
ALTER TABLE raid_items ADD COLUMN embargo_until TEXT;
ALTER TABLE raid_items ADD COLUMN release_class TEXT;

UPDATE requests SET (classification, owner_gss, embargo_until, release_class) =
    (SELECT r.classification, r.owner_gss, r.embargo_until, r.release_class
     FROM records r WHERE r.id = requests.record_id);
UPDATE raid_items SET (classification, owner_gss, embargo_until, release_class) =
    (SELECT r.classification, r.owner_gss, r.embargo_until, r.release_class
     FROM records r WHERE r.id = raid_items.record_id);

-- SQLite cannot change NEW before an insert: the copy is written just after it, in the same
-- statement. A row whose copy is missing matches no access class, so it is hidden, never shown.
CREATE TRIGGER requests_access_copied AFTER INSERT ON requests
BEGIN
    UPDATE requests SET (classification, owner_gss, embargo_until, release_class) =
        (SELECT r.classification, r.owner_gss, r.embargo_until, r.release_class
         FROM records r WHERE r.id = NEW.record_id)
    WHERE record_id = NEW.record_id;
END;

CREATE TRIGGER raid_items_access_copied AFTER INSERT ON raid_items
BEGIN
    UPDATE raid_items SET (classification, owner_gss, embargo_until, release_class) =
        (SELECT r.classification, r.owner_gss, r.embargo_until, r.release_class
         FROM records r WHERE r.id = NEW.record_id)
    WHERE record_id = NEW.record_id;
END;

CREATE TRIGGER records_access_spread AFTER UPDATE OF classification, owner_gss, embargo_until, release_class ON records
BEGIN
    UPDATE requests SET classification = NEW.classification, owner_gss = NEW.owner_gss,
        embargo_until = NEW.embargo_until, release_class = NEW.release_class
    WHERE record_id = NEW.id;
    UPDATE raid_items SET classification = NEW.classification, owner_gss = NEW.owner_gss,
        embargo_until = NEW.embargo_until, release_class = NEW.release_class
    WHERE record_id = NEW.id;
END;

-- The register's order and its statistics' groups, with the access columns, so that a page,
-- the total and the statistics read the index alone.
DROP INDEX requests_register;
CREATE INDEX requests_register ON requests (partnership_id, answer_sort, number,
    classification, embargo_until, release_class, owner_gss);
DROP INDEX requests_statistics;
CREATE INDEX requests_statistics ON requests (partnership_id, owner, regime, received_quarter,
    outcome, timeliness, classification, embargo_until, release_class, owner_gss);
-- The open requests in the register's order: a caseload reads a few thousand rows of a
-- hundred thousand. The stages are those of `Stage::open`, written as the queries write them
-- (a test compares the two), so that both databases see the index applies.
CREATE INDEX requests_open ON requests (partnership_id, answer_sort, number)
    WHERE stage IN ('received', 'forwarded', 'acknowledged', 'awaiting_clarification',
                    'awaiting_fee', 'drafting', 'consultation', 'comms_clearance');

-- The RAID log's total and heat map, grouped in this order from the index alone (a scan of the
-- table, row by row, was most of the time of every list of a 5,000-item log).
CREATE INDEX raid_items_summary ON raid_items (partnership_id, kind, status,
    residual_probability, residual_impact, classification, embargo_until, release_class, owner_gss,
    inherent_probability, inherent_impact);
