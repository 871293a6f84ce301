-- ListServers' stored listings, one short row a source, so that a page reads one row of about
-- 2 KB a source rather than the source's row (about 3 KB with its disks and NICs) and its task's
-- (docs/storage.md, "Source listings"). listed is the source's listing (sources.listed), checks
-- and init_target_server, without the closing brace: the triggers below keep it in step with the
-- source, so that no write can change one without the other. task is the members of the
-- source's current task (sources.task_id) in current_task that only imports and updates change,
-- in three pieces separated by char(3), between which the store puts the members progress
-- reports change, from memory (db/sourcelisting.go); NULL for a source without a task.
CREATE TABLE source_listings (
    seq    INTEGER PRIMARY KEY, -- the source's
    listed TEXT NOT NULL,
    task   TEXT
);
INSERT INTO source_listings (seq, listed)
SELECT seq, listed || ',"checks":' || checks || ',"init_target_server":' || init_target_server FROM sources;

CREATE TRIGGER source_listing_added AFTER INSERT ON sources
BEGIN
    INSERT INTO source_listings (seq, listed)
    VALUES (new.seq, new.listed || ',"checks":' || new.checks || ',"init_target_server":' || new.init_target_server);
END;
CREATE TRIGGER source_listing_changed AFTER UPDATE OF listed, checks, init_target_server ON sources
BEGIN
    UPDATE source_listings
    SET listed = new.listed || ',"checks":' || new.checks || ',"init_target_server":' || new.init_target_server
    WHERE seq = new.seq;
END;
CREATE TRIGGER source_listing_deleted AFTER DELETE ON sources
BEGIN DELETE FROM source_listings WHERE seq = old.seq; END;

-- The source index also keeps each source's current task (db/commit.go), so a change of task
-- is noted as a move is.
DROP TRIGGER sources_moved;
CREATE TRIGGER sources_moved AFTER UPDATE OF add_date, state, enterprise_project_id, task_id ON sources
BEGIN INSERT OR IGNORE INTO source_changes (id) VALUES (new.id); END;
