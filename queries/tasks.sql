-- ListTasks with a selective filter (id, name, source server) is served by a statement that
-- looks up that filter's index and checks the other filters on the few rows it finds; the
-- optional-filter form (x IS NULL OR col = x) is used only on those few rows: on the whole table
-- it would defeat the indexes. Without one, ListTasks pages through the in-memory list index
-- (db/order.go); until that is built at start-up, one statement per combination of the broad
-- filters (state, enterprise project) walks the SQLite index that matches it.

-- name: GetTask :one
SELECT * FROM tasks WHERE id = ?;

-- name: ListTasksByIDs :many
-- Reads the tasks of a page the in-memory list index chose; the caller puts them in order.
SELECT * FROM tasks WHERE id IN (sqlc.slice('ids'));

-- name: ListTaskListings :many
-- What the in-memory list index is built from, in ListTasks order.
SELECT id, create_date, state, enterprise_project_id FROM tasks ORDER BY create_date DESC, id;

-- name: ListTasks :many
SELECT * FROM tasks
ORDER BY create_date DESC, id
LIMIT sqlc.arg('limit') OFFSET sqlc.arg('offset');

-- name: CountTasks :one
SELECT count(*) FROM tasks;

-- name: ListTasksByState :many
SELECT * FROM tasks
WHERE state = sqlc.arg('state')
ORDER BY create_date DESC, id
LIMIT sqlc.arg('limit') OFFSET sqlc.arg('offset');

-- name: CountTasksByState :one
SELECT count(*) FROM tasks WHERE state = sqlc.arg('state');

-- name: ListTasksByEnterpriseProject :many
SELECT * FROM tasks
WHERE enterprise_project_id = sqlc.arg('enterprise_project_id')
ORDER BY create_date DESC, id
LIMIT sqlc.arg('limit') OFFSET sqlc.arg('offset');

-- name: CountTasksByEnterpriseProject :one
SELECT count(*) FROM tasks WHERE enterprise_project_id = sqlc.arg('enterprise_project_id');

-- name: ListTasksByStateAndEnterpriseProject :many
SELECT * FROM tasks
WHERE state = sqlc.arg('state') AND enterprise_project_id = sqlc.arg('enterprise_project_id')
ORDER BY create_date DESC, id
LIMIT sqlc.arg('limit') OFFSET sqlc.arg('offset');

-- name: CountTasksByStateAndEnterpriseProject :one
SELECT count(*) FROM tasks
WHERE state = sqlc.arg('state') AND enterprise_project_id = sqlc.arg('enterprise_project_id');

-- name: ListTasksByID :many
SELECT * FROM tasks
WHERE id = sqlc.arg('id')
  AND (sqlc.narg('name') IS NULL OR name = sqlc.narg('name'))
  AND (sqlc.narg('state') IS NULL OR state = sqlc.narg('state'))
  AND (sqlc.narg('source_server_id') IS NULL OR source_server_id = sqlc.narg('source_server_id'))
  AND (sqlc.narg('enterprise_project_id') IS NULL OR enterprise_project_id = sqlc.narg('enterprise_project_id'));

-- name: ListTasksByName :many
SELECT * FROM tasks
WHERE name = sqlc.arg('name')
  AND (sqlc.narg('state') IS NULL OR state = sqlc.narg('state'))
  AND (sqlc.narg('source_server_id') IS NULL OR source_server_id = sqlc.narg('source_server_id'))
  AND (sqlc.narg('enterprise_project_id') IS NULL OR enterprise_project_id = sqlc.narg('enterprise_project_id'))
ORDER BY create_date DESC, id
LIMIT sqlc.arg('limit') OFFSET sqlc.arg('offset');

-- name: CountTasksByName :one
SELECT count(*) FROM tasks
WHERE name = sqlc.arg('name')
  AND (sqlc.narg('state') IS NULL OR state = sqlc.narg('state'))
  AND (sqlc.narg('source_server_id') IS NULL OR source_server_id = sqlc.narg('source_server_id'))
  AND (sqlc.narg('enterprise_project_id') IS NULL OR enterprise_project_id = sqlc.narg('enterprise_project_id'));

-- name: ListTasksBySourceServer :many
SELECT * FROM tasks
WHERE source_server_id = sqlc.arg('source_server_id')
  AND (sqlc.narg('state') IS NULL OR state = sqlc.narg('state'))
  AND (sqlc.narg('enterprise_project_id') IS NULL OR enterprise_project_id = sqlc.narg('enterprise_project_id'))
ORDER BY create_date DESC, id
LIMIT sqlc.arg('limit') OFFSET sqlc.arg('offset');

-- name: CountTasksBySourceServer :one
SELECT count(*) FROM tasks
WHERE source_server_id = sqlc.arg('source_server_id')
  AND (sqlc.narg('state') IS NULL OR state = sqlc.narg('state'))
  AND (sqlc.narg('enterprise_project_id') IS NULL OR enterprise_project_id = sqlc.narg('enterprise_project_id'));

-- name: UpsertTask :exec
-- Writes a whole task, replacing any stored under the same id. The column list is in table order
-- so that the generated params convert directly from a Task.
INSERT OR REPLACE INTO tasks (
    id, name, type, os_type, state, estimate_complete_time, create_date, priority, speed_limit,
    migrate_speed, compress_rate, start_target_server, error_json, total_time, migration_ip,
    enterprise_project_id, log_collect_status, syncing, total_cpu_usage, agent_cpu_usage,
    total_mem_usage, agent_mem_usage, total_disk_io, agent_disk_io, need_migration_test,
    subtask_info, source_server_id, source_server, target_server, clone_server, network_check_info,
    special_config, sub_tasks, region_id, region_name, project_id, project_name, vm_template_id,
    exist_server, connected, start_date, finish_date, float_ip, remain_seconds, target_snapshot_id,
    use_ipv6, use_public_ip, enterprise_project, image_disk_id, target_disk_ids, snapshot_ids,
    cutovered_snapshot_ids, replicatesize, totalsize, agent_time, last_report_date
) VALUES (
    ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
    ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
);

-- name: UpdateTaskProgress :exec
-- Writes the columns a progress report changes, and only those: an indexed column stays out
-- unless a report can change it (state), so a report rewrites one row and no index entry.
UPDATE tasks SET
    state = ?, start_date = ?, finish_date = ?, total_time = ?, estimate_complete_time = ?,
    migrate_speed = ?, compress_rate = ?, total_cpu_usage = ?, agent_cpu_usage = ?,
    total_mem_usage = ?, agent_mem_usage = ?, total_disk_io = ?, agent_disk_io = ?,
    need_migration_test = ?, subtask_info = ?, sub_tasks = ?, remain_seconds = ?,
    replicatesize = ?, totalsize = ?, agent_time = ?, last_report_date = ?
WHERE id = ?;

-- name: UpdateSequence :one
UPDATE sequences SET next = max(next, CAST(sqlc.arg('at_least') AS INTEGER)) + 1
WHERE name = sqlc.arg('name')
RETURNING next;
