-- The status page's reads. The in-memory list index (db/listindex.go) orders and counts the
-- tasks, and picks each page, whose rows it then reads here.

-- name: ListTasksBySeq :many
-- The rows of a page of the status page, which the in-memory list index chose and gives as a
-- JSON array of seqs (rowids) in page order, each with its current sub-task's name and progress
-- and no other sub-task. CROSS JOIN makes SQLite walk the array in order and look each task up
-- in turn, so the rows come in the array's order without a sort (see ListTaskPage).
SELECT sqlc.embed(tasks), current.name AS current_name, current.progress AS current_progress
FROM json_each(CAST(sqlc.arg('seqs') AS TEXT)) AS entry
CROSS JOIN tasks ON tasks.seq = entry.value
LEFT JOIN sub_tasks AS current ON current.task_seq = tasks.seq AND current.position = tasks.current_sub_task;

-- name: SearchTaskNames :many
-- The seqs of the tasks whose name contains a string (ASCII letters in any case), for a name
-- search of the status page. It reads every name, but through tasks_by_name, which holds just
-- the names and seqs, rather than through the wide table rows.
SELECT seq FROM tasks WHERE instr(lower(name), lower(CAST(sqlc.arg('name') AS TEXT))) > 0;

-- name: ListTaskSizes :many
-- Every task's reported sizes, for the wave's bytes on the status page's wall. It reads every
-- task (no index holds the sizes), so the store reads it only once a minute and keeps the sizes
-- the progress reports give in memory between (db/pace.go).
SELECT id, replicatesize, totalsize FROM tasks WHERE totalsize IS NOT NULL;
