-- The two registers that grow to tens of thousands of rows (information requests, the RAID
-- log) carry a copy of their header's access columns, so that counting, grouping and paging
-- them applies the one access policy without joining every row to `records`. `records` stays
-- the original: the triggers below copy its columns when a row is written and whenever the
-- header changes, so the copy cannot drift; `tests/access.rs` compares the two.

ALTER TABLE requests ADD COLUMN classification TEXT, ADD COLUMN owner_gss TEXT,
    ADD COLUMN embargo_until DATE, ADD COLUMN release_class TEXT;
ALTER TABLE raid_items ADD COLUMN classification TEXT, ADD COLUMN owner_gss TEXT,
    ADD COLUMN embargo_until DATE, ADD COLUMN release_class TEXT;

UPDATE requests d SET classification = r.classification, owner_gss = r.owner_gss,
    embargo_until = r.embargo_until, release_class = r.release_class
FROM records r WHERE r.id = d.record_id;
UPDATE raid_items d SET classification = r.classification, owner_gss = r.owner_gss,
    embargo_until = r.embargo_until, release_class = r.release_class
FROM records r WHERE r.id = d.record_id;

-- Every write of a row takes the header's values, whatever the statement says.
CREATE FUNCTION copy_record_access() RETURNS trigger AS $$
BEGIN
    SELECT r.classification, r.owner_gss, r.embargo_until, r.release_class
    INTO NEW.classification, NEW.owner_gss, NEW.embargo_until, NEW.release_class
    FROM records r WHERE r.id = NEW.record_id;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER requests_access_copied BEFORE INSERT OR UPDATE ON requests
    FOR EACH ROW EXECUTE FUNCTION copy_record_access();
CREATE TRIGGER raid_items_access_copied BEFORE INSERT OR UPDATE ON raid_items
    FOR EACH ROW EXECUTE FUNCTION copy_record_access();

CREATE FUNCTION spread_record_access() RETURNS trigger AS $$
BEGIN
    UPDATE requests SET classification = NEW.classification, owner_gss = NEW.owner_gss,
        embargo_until = NEW.embargo_until, release_class = NEW.release_class
    WHERE record_id = NEW.id;
    UPDATE raid_items SET classification = NEW.classification, owner_gss = NEW.owner_gss,
        embargo_until = NEW.embargo_until, release_class = NEW.release_class
    WHERE record_id = NEW.id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER records_access_spread
    AFTER UPDATE OF classification, owner_gss, embargo_until, release_class ON records
    FOR EACH ROW EXECUTE FUNCTION spread_record_access();

DROP INDEX requests_register;
CREATE INDEX requests_register ON requests (partnership_id, answer_sort, number)
    INCLUDE (classification, embargo_until, release_class, owner_gss);
DROP INDEX requests_statistics;
CREATE INDEX requests_statistics ON requests (partnership_id, owner, regime, received_quarter,
    outcome, timeliness) INCLUDE (classification, embargo_until, release_class, owner_gss);
-- The open requests in the register's order (the stages of `Stage::open`, as the queries
-- write them; a test compares the two).
CREATE INDEX requests_open ON requests (partnership_id, answer_sort, number)
    WHERE stage IN ('received', 'forwarded', 'acknowledged', 'awaiting_clarification',
                    'awaiting_fee', 'drafting', 'consultation', 'comms_clearance');

-- The RAID log's total and heat map, grouped in this order from the index alone (a scan of the
-- table, row by row, was most of the time of every list of a 5,000-item log).
CREATE INDEX raid_items_summary ON raid_items (partnership_id, kind, status,
    residual_probability, residual_impact) INCLUDE (classification, embargo_until, release_class,
    owner_gss, inherent_probability, inherent_impact);
