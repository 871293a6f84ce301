-- The sub-tasks of a task that has more than 32, one row each (migration 0005), by the task's
-- seq and their position in its sub_tasks array. A progress report reads and writes one of them;
-- a ListTasks page joins their listings into the task's JSON (ListTaskPage).

-- name: ListSubTasks :many
-- A task's sub-tasks in order from a position, at most limit of them.
SELECT * FROM sub_tasks
WHERE task_seq = sqlc.arg('task_seq') AND position >= sqlc.arg('from')
ORDER BY position LIMIT sqlc.arg('limit');

-- name: GetSubTaskByName :one
-- The first of a task's sub-tasks with a name, the one a progress report naming it is about:
-- its position found in sub_tasks_by_name, which keeps each name's positions in order. (With
-- ORDER BY position LIMIT 1, SQLite walks the task's sub-tasks by position instead.)
SELECT * FROM sub_tasks
WHERE sub_tasks.task_seq = sqlc.arg('task_seq') AND sub_tasks.position = (
    SELECT min(named.position) FROM sub_tasks AS named
    WHERE named.task_seq = sqlc.arg('task_seq') AND named.name = sqlc.arg('name'));

-- name: GetSubTask :one
SELECT * FROM sub_tasks WHERE task_seq = ? AND position = ?;

-- name: GetSubTaskStartBefore :one
-- The earliest start date among a task's sub-tasks but the one at a position, -1 if none has
-- one: when a task imported without a start date of its own started. It reads all of the
-- task's sub-tasks, which a task needs at most twice in its life (progress.go, startOf).
SELECT CAST(coalesce(min(start_date), -1) AS INTEGER) FROM sub_tasks
WHERE task_seq = ? AND position <> ?;

-- name: CreateSubTask :exec
INSERT INTO sub_tasks (
    task_seq, position, id, name, progress, start_date, end_date, migrate_speed, user_op,
    process_trace, listed
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: UpdateSubTaskProgress :exec
-- Writes what a progress report changes on a sub-task.
UPDATE sub_tasks SET
    progress = ?, start_date = ?, end_date = ?, migrate_speed = ?, process_trace = ?, listed = ?
WHERE task_seq = ? AND position = ?;

-- name: DeleteSubTasks :exec
-- Removes a task's sub-task rows, before an import or an update stores others in their place.
DELETE FROM sub_tasks WHERE task_seq = ?;

-- name: SetSubTaskListing :exec
UPDATE sub_tasks SET listed = ? WHERE task_seq = ? AND position = ?;
