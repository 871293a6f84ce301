-- The status page's reads: counts by state, and pages of tasks in the page's order with the
-- page's filters (a group of states, a substring of the name).

-- name: CountTasksPerState :many
-- One pass over the covering index tasks_by_state.
SELECT state, count(*) AS count FROM tasks GROUP BY state ORDER BY state;

-- name: ListStatusTasks :many
-- Tasks in the page's order: by state rank (running first, then in transition, failed, ready,
-- aborted, succeeded), newest create_date first within a rank.
--
-- No index has that order (it would take an expression index, a schema change), so the inner
-- query picks the ids of one page from the covering index tasks_by_state (state, create_date,
-- id): SQLite reads the small index entries, keeps the top offset+limit in a sorter and never
-- touches the wide table rows; the outer query then loads only the page's rows by primary key
-- and re-sorts them. That is cheap at 10k tasks (see README, "Status page"). The rank is spelled
-- out in both queries, and in ListStatusTasksByName: keep the CASEs equal.
--
-- states is a JSON array of the states to show, NULL for all of them (json_each rather than
-- sqlc.slice, which miscounts beside the numbered parameters sqlc emits for a repeated one).
SELECT * FROM tasks
WHERE id IN (
    SELECT page.id FROM tasks AS page
    WHERE (CAST(sqlc.narg('states') AS TEXT) IS NULL OR page.state IN (SELECT value FROM json_each(sqlc.narg('states'))))
    ORDER BY
        CASE page.state
            WHEN 'RUNNING' THEN 0 WHEN 'SYNCING' THEN 0
            WHEN 'MIGRATE_FAIL' THEN 2 WHEN 'SYNC_FAIL' THEN 2
            WHEN 'READY' THEN 3
            WHEN 'ABORT' THEN 4 WHEN 'SYNC_F_ROLLBACK_SUCCESS' THEN 4
            WHEN 'MIGRATE_SUCCESS' THEN 5 WHEN 'SYNC_SUCCESS' THEN 5
            ELSE 1 -- ABORTING, SKIPPING, DELETING, RESETING, SYNC_F_ROLLBACKING: in transition
        END,
        page.create_date DESC, page.id
    LIMIT sqlc.arg('limit') OFFSET sqlc.arg('offset')
)
ORDER BY
    CASE state
        WHEN 'RUNNING' THEN 0 WHEN 'SYNCING' THEN 0
        WHEN 'MIGRATE_FAIL' THEN 2 WHEN 'SYNC_FAIL' THEN 2
        WHEN 'READY' THEN 3
        WHEN 'ABORT' THEN 4 WHEN 'SYNC_F_ROLLBACK_SUCCESS' THEN 4
        WHEN 'MIGRATE_SUCCESS' THEN 5 WHEN 'SYNC_SUCCESS' THEN 5
        ELSE 1
    END,
    create_date DESC, id;

-- name: CountStatusTasks :one
SELECT count(*) FROM tasks
WHERE (CAST(sqlc.narg('states') AS TEXT) IS NULL OR state IN (SELECT value FROM json_each(sqlc.narg('states'))));

-- name: ListStatusTasksByName :many
-- ListStatusTasks for the tasks whose name contains a string (ASCII letters in any case). A
-- substring search reads every row's name, so this one scans the table.
SELECT * FROM tasks
WHERE (CAST(sqlc.narg('states') AS TEXT) IS NULL OR state IN (SELECT value FROM json_each(sqlc.narg('states'))))
  AND instr(lower(name), lower(CAST(sqlc.arg('name') AS TEXT))) > 0
ORDER BY
    CASE state
        WHEN 'RUNNING' THEN 0 WHEN 'SYNCING' THEN 0
        WHEN 'MIGRATE_FAIL' THEN 2 WHEN 'SYNC_FAIL' THEN 2
        WHEN 'READY' THEN 3
        WHEN 'ABORT' THEN 4 WHEN 'SYNC_F_ROLLBACK_SUCCESS' THEN 4
        WHEN 'MIGRATE_SUCCESS' THEN 5 WHEN 'SYNC_SUCCESS' THEN 5
        ELSE 1
    END,
    create_date DESC, id
LIMIT sqlc.arg('limit') OFFSET sqlc.arg('offset');

-- name: CountStatusTasksByName :one
SELECT count(*) FROM tasks
WHERE (CAST(sqlc.narg('states') AS TEXT) IS NULL OR state IN (SELECT value FROM json_each(sqlc.narg('states'))))
  AND instr(lower(name), lower(CAST(sqlc.arg('name') AS TEXT))) > 0;
