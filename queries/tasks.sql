-- ListTasks with a selective filter (id, name, source server) is served by a statement that
-- looks up that filter's index and checks the other filters on the few rows it finds; the
-- optional-filter form (x IS NULL OR col = x) is used only on those few rows: on the whole table
-- it would defeat the indexes. Without one, ListTasks pages through the in-memory list index
-- (db/listindex.go). Until that is built at start-up, an unfiltered page is read through
-- tasks_by_create_date, and a page filtered by state or enterprise project waits for it.

-- name: GetTask :one
SELECT * FROM tasks WHERE id = ?;

-- name: ListTaskPage :one
-- Assembles the ListTasks JSON of a page's tasks, chosen by the in-memory list index or by one
-- of the ListTaskSeqs statements and given as a JSON array of seqs (rowids) in page order: each
-- task's stored fragments, with, for a task whose sub-tasks are rows of their own, their
-- listings joined in between as its sub_tasks array, the tasks separated by commas, ready to go
-- between [ and ].
-- One row and no decoding, whatever the page size. SQLite keeps the ORDER BY of a subquery that
-- feeds group_concat, and the primary key walks a task's sub-tasks in that order anyway.
-- CROSS JOIN makes SQLite walk the array in
-- order and look each task up in turn, so the page comes in the array's order without a sort
-- (TestListIndexAgreesWithSQL checks the order of many pages).
SELECT CAST(group_concat(
    tasks.listed_static || tasks.listed_dynamic ||
    CASE WHEN tasks.sub_tasks IS NOT NULL OR tasks.sub_task_count IS NULL THEN '' ELSE
        ',"sub_tasks":[' || coalesce((SELECT group_concat(listed, ',') FROM (SELECT sub_tasks.listed
            FROM sub_tasks WHERE sub_tasks.task_seq = tasks.seq ORDER BY sub_tasks.position)), '') || ']'
    END || tasks.listed_tail, ',') AS TEXT)
FROM json_each(CAST(sqlc.arg('seqs') AS TEXT)) AS entry
CROSS JOIN tasks ON tasks.seq = entry.value;

-- name: ListTaskIndexKeysAfter :many
-- What the in-memory list index is built from, in ListTasks order, a batch of tasks at a time
-- after the one given by its create_date and id: all at once, they would take tens of MB.
SELECT seq, id, create_date, state, enterprise_project_id FROM tasks
WHERE create_date <= sqlc.arg('create_date') AND (create_date < sqlc.arg('create_date') OR id > sqlc.arg('id'))
ORDER BY create_date DESC, id LIMIT sqlc.arg('limit');

-- name: ListTaskMovingMembersAfter :many
-- The members of ListServers' current_task that progress reports change, which the list index
-- also keeps, a batch of tasks at a time in seq order: all at once, they would take tens of MB.
SELECT seq, id, estimate_complete_time, start_date, migrate_speed, compress_rate, remain_seconds,
    subtask_info, replicatesize, totalsize
FROM tasks WHERE seq > sqlc.arg('after') ORDER BY seq LIMIT sqlc.arg('limit');

-- name: ListTaskSeqs :many
SELECT seq FROM tasks
ORDER BY create_date DESC, id
LIMIT sqlc.arg('limit') OFFSET sqlc.arg('offset');

-- name: CountTasks :one
SELECT count(*) FROM tasks;

-- name: ListTaskSeqsByID :many
SELECT seq FROM tasks
WHERE id = sqlc.arg('id')
  AND (sqlc.narg('name') IS NULL OR name = sqlc.narg('name'))
  AND (sqlc.narg('state') IS NULL OR state = sqlc.narg('state'))
  AND (sqlc.narg('source_server_id') IS NULL OR source_server_id = sqlc.narg('source_server_id'))
  AND (sqlc.narg('enterprise_project_id') IS NULL OR enterprise_project_id = sqlc.narg('enterprise_project_id'));

-- name: ListTaskSeqsByName :many
SELECT seq FROM tasks
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

-- name: ListTaskSeqsBySourceServer :many
SELECT seq FROM tasks
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

-- name: UpsertTask :one
-- Writes a whole task, updating in place any stored under the same id (its seq, and so its place
-- in the list index, stays), and returns its seq. The column list is in table order so that
-- the generated params convert directly from a Task.
INSERT INTO tasks (
    seq, id, name, type, os_type, state, estimate_complete_time, create_date, priority,
    speed_limit, migrate_speed, compress_rate, start_target_server, error_json, total_time,
    migration_ip, enterprise_project_id, log_collect_status, syncing, total_cpu_usage,
    agent_cpu_usage, total_mem_usage, agent_mem_usage, total_disk_io, agent_disk_io,
    need_migration_test, subtask_info, source_server_id, source_server, target_server,
    clone_server, network_check_info, special_config, sub_tasks, region_id, region_name,
    project_id, project_name, vm_template_id, exist_server, connected, start_date, finish_date,
    float_ip, remain_seconds, target_snapshot_id, use_ipv6, use_public_ip, enterprise_project,
    image_disk_id, target_disk_ids, snapshot_ids, cutovered_snapshot_ids, replicatesize,
    totalsize, agent_time, last_report_date, listed_static, listed_dynamic, sub_task_count,
    current_sub_task, listed_tail
) VALUES (
    ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
    ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
)
ON CONFLICT (id) DO UPDATE SET
    name = excluded.name, type = excluded.type, os_type = excluded.os_type,
    state = excluded.state, estimate_complete_time = excluded.estimate_complete_time,
    create_date = excluded.create_date, priority = excluded.priority,
    speed_limit = excluded.speed_limit, migrate_speed = excluded.migrate_speed,
    compress_rate = excluded.compress_rate, start_target_server = excluded.start_target_server,
    error_json = excluded.error_json, total_time = excluded.total_time,
    migration_ip = excluded.migration_ip,
    enterprise_project_id = excluded.enterprise_project_id,
    log_collect_status = excluded.log_collect_status, syncing = excluded.syncing,
    total_cpu_usage = excluded.total_cpu_usage, agent_cpu_usage = excluded.agent_cpu_usage,
    total_mem_usage = excluded.total_mem_usage, agent_mem_usage = excluded.agent_mem_usage,
    total_disk_io = excluded.total_disk_io, agent_disk_io = excluded.agent_disk_io,
    need_migration_test = excluded.need_migration_test, subtask_info = excluded.subtask_info,
    source_server_id = excluded.source_server_id, source_server = excluded.source_server,
    target_server = excluded.target_server, clone_server = excluded.clone_server,
    network_check_info = excluded.network_check_info, special_config = excluded.special_config,
    sub_tasks = excluded.sub_tasks, region_id = excluded.region_id,
    region_name = excluded.region_name, project_id = excluded.project_id,
    project_name = excluded.project_name, vm_template_id = excluded.vm_template_id,
    exist_server = excluded.exist_server, connected = excluded.connected,
    start_date = excluded.start_date, finish_date = excluded.finish_date,
    float_ip = excluded.float_ip, remain_seconds = excluded.remain_seconds,
    target_snapshot_id = excluded.target_snapshot_id, use_ipv6 = excluded.use_ipv6,
    use_public_ip = excluded.use_public_ip, enterprise_project = excluded.enterprise_project,
    image_disk_id = excluded.image_disk_id, target_disk_ids = excluded.target_disk_ids,
    snapshot_ids = excluded.snapshot_ids,
    cutovered_snapshot_ids = excluded.cutovered_snapshot_ids,
    replicatesize = excluded.replicatesize, totalsize = excluded.totalsize,
    agent_time = excluded.agent_time, last_report_date = excluded.last_report_date,
    listed_static = excluded.listed_static, listed_dynamic = excluded.listed_dynamic,
    sub_task_count = excluded.sub_task_count, current_sub_task = excluded.current_sub_task,
    listed_tail = excluded.listed_tail
RETURNING seq;

-- name: GetTaskProgress :one
-- Reads what a progress report reads or rewrites (UpdateTaskProgress), and where the task is
-- listed, and nothing more: the large columns it leaves alone cost most of a full read. By
-- seq, which the list index keeps for every task. Its sub-tasks are in sub_tasks, up to 32 of
-- them, or rows of their own.
SELECT id, create_date, enterprise_project_id, state, syncing, source_server_id, start_date, finish_date,
       total_time, estimate_complete_time, migrate_speed, compress_rate, total_cpu_usage, agent_cpu_usage, total_mem_usage,
       agent_mem_usage, total_disk_io, agent_disk_io, need_migration_test, subtask_info, sub_tasks,
       sub_task_count, remain_seconds, replicatesize, totalsize, agent_time, last_report_date
FROM tasks WHERE seq = ?;

-- name: UpdateTaskProgress :exec
-- Writes the columns a progress report changes, and only those. None of them is indexed
-- (migration 0003 dropped the index on state), so a report rewrites one row and no index entry.
UPDATE tasks SET
    state = ?, start_date = ?, finish_date = ?, total_time = ?, estimate_complete_time = ?,
    migrate_speed = ?, compress_rate = ?, total_cpu_usage = ?, agent_cpu_usage = ?,
    total_mem_usage = ?, agent_mem_usage = ?, total_disk_io = ?, agent_disk_io = ?,
    need_migration_test = ?, subtask_info = ?, sub_tasks = ?, sub_task_count = ?,
    current_sub_task = ?, listed_dynamic = ?, listed_tail = ?, remain_seconds = ?, replicatesize = ?, totalsize = ?,
    agent_time = ?, last_report_date = ?
WHERE seq = sqlc.arg('seq');

-- name: GetSequence :one
SELECT next FROM sequences WHERE name = ?;

-- name: SetSequence :exec
UPDATE sequences SET next = sqlc.arg('next') WHERE name = sqlc.arg('name');

-- name: ListTasksAfter :many
-- Walks every task in seq order, a batch at a time, for migrations that rewrite each task.
SELECT * FROM tasks WHERE seq > sqlc.arg('after') ORDER BY seq LIMIT sqlc.arg('limit');

-- name: SetTaskListing :exec
-- Writes a task's listing fragments, and its current sub-task, which migrations render anew.
UPDATE tasks SET listed_static = sqlc.arg('listed_static'), listed_dynamic = sqlc.arg('listed_dynamic'),
    listed_tail = sqlc.arg('listed_tail'), current_sub_task = sqlc.arg('current_sub_task')
WHERE seq = sqlc.arg('seq');
