-- Source servers. ListServers reads a page of them in ListServers order (add_date DESC, id),
-- filters given or not in the optional-filter form, and their current tasks in a second
-- statement; a source's state and migration cycle are columns, kept by every write that moves
-- its task (db/sources.go, refreshSource).

-- name: GetSource :one
SELECT * FROM sources WHERE id = ?;

-- name: FindSourceByNameIP :one
-- The source a registration without an id names: the newest with this name and IP.
SELECT * FROM sources WHERE name = sqlc.arg('name') AND ip = sqlc.arg('ip')
ORDER BY add_date DESC, id LIMIT 1;

-- name: FindSourceByNameIPv6 :one
-- The source a registration without an id or an IP names: the newest with this name and IPv6
-- address and no IP.
SELECT * FROM sources WHERE name = sqlc.arg('name') AND ip IS NULL AND ipv6 = sqlc.arg('ipv6')
ORDER BY add_date DESC, id LIMIT 1;

-- name: UpsertSource :exec
-- Writes a whole source, replacing any stored under the same id. The column list is in table
-- order so that the generated params convert directly from a Source.
INSERT INTO sources (
    seq, id, name, hostname, ip, ipv6, os_type, os_version, migproject, enterprise_project_id,
    add_date, state, migration_cycle, state_action_time, stage_action_time, task_id, task_seq, task_state,
    last_seen, is_consistency_result_exist, agent_version, kernel_version, firmware, boot_loader,
    linux_block_check, cpu_quantity, memory, domain_id, has_rsync, paravirtualization,
    raw_devices, driver_files, system_services, account_rights, system_dir, oem_system,
    start_type, io_read_wait, has_tc, platform, disks, volume_groups, btrfs_list, networks,
    checks, init_target_server, listed
) VALUES (
    ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
    ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
)
ON CONFLICT (id) DO UPDATE SET
    name = excluded.name, hostname = excluded.hostname, ip = excluded.ip, ipv6 = excluded.ipv6,
    os_type = excluded.os_type, os_version = excluded.os_version,
    migproject = excluded.migproject, enterprise_project_id = excluded.enterprise_project_id,
    add_date = excluded.add_date, state = excluded.state,
    migration_cycle = excluded.migration_cycle, state_action_time = excluded.state_action_time,
    stage_action_time = excluded.stage_action_time, task_id = excluded.task_id,
    task_seq = excluded.task_seq,
    task_state = excluded.task_state, last_seen = excluded.last_seen,
    is_consistency_result_exist = excluded.is_consistency_result_exist,
    agent_version = excluded.agent_version, kernel_version = excluded.kernel_version,
    firmware = excluded.firmware, boot_loader = excluded.boot_loader,
    linux_block_check = excluded.linux_block_check, cpu_quantity = excluded.cpu_quantity,
    memory = excluded.memory, domain_id = excluded.domain_id, has_rsync = excluded.has_rsync,
    paravirtualization = excluded.paravirtualization, raw_devices = excluded.raw_devices,
    driver_files = excluded.driver_files, system_services = excluded.system_services,
    account_rights = excluded.account_rights, system_dir = excluded.system_dir,
    oem_system = excluded.oem_system, start_type = excluded.start_type,
    io_read_wait = excluded.io_read_wait, has_tc = excluded.has_tc, platform = excluded.platform,
    disks = excluded.disks, volume_groups = excluded.volume_groups,
    btrfs_list = excluded.btrfs_list, networks = excluded.networks, checks = excluded.checks,
    init_target_server = excluded.init_target_server, listed = excluded.listed;

-- name: ListSources :many
-- The seqs and ids of a page of ListServers filtered by what the source index does not serve (id, name,
-- addresses, project, cycle, connected, consistency result, vm_id), for ListSourcePage.
-- connected_ids is a JSON array of the sources whose agents called within the connected timeout
-- (the store keeps them in memory); vm_id matches the cloned or target server of the source's task.
SELECT seq, id FROM sources
WHERE (sqlc.narg('id') IS NULL OR id = sqlc.narg('id'))
  AND (sqlc.narg('name') IS NULL OR name = sqlc.narg('name'))
  AND (sqlc.narg('state') IS NULL OR state = sqlc.narg('state'))
  AND (sqlc.narg('ip') IS NULL OR ip = sqlc.narg('ip'))
  AND (sqlc.narg('ipv6') IS NULL OR ipv6 = sqlc.narg('ipv6'))
  AND (sqlc.narg('migproject') IS NULL OR migproject = sqlc.narg('migproject'))
  AND (sqlc.narg('migration_cycle') IS NULL OR migration_cycle = sqlc.narg('migration_cycle'))
  AND (sqlc.narg('enterprise_project_id') IS NULL OR enterprise_project_id = sqlc.narg('enterprise_project_id'))
  AND (sqlc.narg('is_consistency_result_exist') IS NULL OR is_consistency_result_exist = sqlc.narg('is_consistency_result_exist'))
  AND (sqlc.narg('connected') IS NULL OR (id IN (SELECT value FROM json_each(CAST(sqlc.arg('connected_ids') AS TEXT)))) = sqlc.narg('connected'))
  AND (sqlc.narg('vm_id') IS NULL OR task_id IN (SELECT tasks.id FROM tasks WHERE tasks.source_server_id = sources.id
       AND (json_extract(tasks.clone_server, '$.vm_id') = sqlc.narg('vm_id') OR json_extract(tasks.target_server, '$.vm_id') = sqlc.narg('vm_id'))))
ORDER BY add_date DESC, id
LIMIT sqlc.arg('limit') OFFSET sqlc.arg('offset');

-- name: CountSources :one
-- How many sources ListSources' filters match.
SELECT count(*) FROM sources
WHERE (sqlc.narg('id') IS NULL OR id = sqlc.narg('id'))
  AND (sqlc.narg('name') IS NULL OR name = sqlc.narg('name'))
  AND (sqlc.narg('state') IS NULL OR state = sqlc.narg('state'))
  AND (sqlc.narg('ip') IS NULL OR ip = sqlc.narg('ip'))
  AND (sqlc.narg('ipv6') IS NULL OR ipv6 = sqlc.narg('ipv6'))
  AND (sqlc.narg('migproject') IS NULL OR migproject = sqlc.narg('migproject'))
  AND (sqlc.narg('migration_cycle') IS NULL OR migration_cycle = sqlc.narg('migration_cycle'))
  AND (sqlc.narg('enterprise_project_id') IS NULL OR enterprise_project_id = sqlc.narg('enterprise_project_id'))
  AND (sqlc.narg('is_consistency_result_exist') IS NULL OR is_consistency_result_exist = sqlc.narg('is_consistency_result_exist'))
  AND (sqlc.narg('connected') IS NULL OR (id IN (SELECT value FROM json_each(CAST(sqlc.arg('connected_ids') AS TEXT)))) = sqlc.narg('connected'))
  AND (sqlc.narg('vm_id') IS NULL OR task_id IN (SELECT tasks.id FROM tasks WHERE tasks.source_server_id = sources.id
       AND (json_extract(tasks.clone_server, '$.vm_id') = sqlc.narg('vm_id') OR json_extract(tasks.target_server, '$.vm_id') = sqlc.narg('vm_id'))));

-- name: ListTasksOfSources :many
-- The current tasks of a page of the status page's sources, given as a JSON array of task ids.
SELECT * FROM tasks WHERE id IN (SELECT value FROM json_each(CAST(sqlc.arg('ids') AS TEXT)));

-- name: GetCurrentTaskOfSource :one
-- A source's current task: the newest task naming it.
SELECT seq, id, state FROM tasks WHERE source_server_id = sqlc.arg('source_id')
ORDER BY create_date DESC, id LIMIT 1;

-- name: ListTasksOfSource :many
SELECT seq, id, name, state FROM tasks WHERE source_server_id = sqlc.arg('source_id')
ORDER BY create_date DESC, id;

-- name: SetSourceState :exec
-- What a change of the source's task, or UpdateCopyState, changes.
UPDATE sources SET task_id = ?, task_seq = ?, task_state = ?, state = ?, migration_cycle = ?,
    state_action_time = ?, stage_action_time = ?, listed = ?
WHERE id = sqlc.arg('id');

-- name: SetSourceLastSeen :exec
UPDATE sources SET last_seen = max(coalesce(last_seen, 0), sqlc.arg('last_seen')) WHERE id = sqlc.arg('id');

-- name: CountSourcesPerState :many
-- ShowOverview: how many sources are in each state, and how many of them have no task.
SELECT state, count(*) AS sources, count(*) - count(task_id) AS without_task
FROM sources GROUP BY state;

-- name: CountSourcesInMigproject :one
SELECT count(*) FROM sources WHERE migproject = ?;

-- name: DeleteSource :exec
DELETE FROM sources WHERE id = ?;

-- name: DeleteTask :exec
DELETE FROM tasks WHERE seq = ?;

-- name: ListErrorSources :many
-- ListErrorServers: the sources whose task failed, or that are in state error, newest first,
-- with their task's error and target IP.
SELECT sources.id, sources.name, sources.hostname, sources.ip, tasks.error_json,
       json_extract(tasks.target_server, '$.ip') AS target_ip
FROM sources LEFT JOIN tasks ON tasks.id = sources.task_id
WHERE (sources.task_state IN ('MIGRATE_FAIL', 'SYNC_FAIL') OR sources.state = 'error')
  AND (sqlc.narg('enterprise_project_id') IS NULL OR sources.enterprise_project_id = sqlc.narg('enterprise_project_id'))
ORDER BY sources.add_date DESC, sources.id
LIMIT sqlc.arg('limit') OFFSET sqlc.arg('offset');

-- name: CountErrorSources :one
SELECT count(*) FROM sources
WHERE (task_state IN ('MIGRATE_FAIL', 'SYNC_FAIL') OR state = 'error')
  AND (sqlc.narg('enterprise_project_id') IS NULL OR enterprise_project_id = sqlc.narg('enterprise_project_id'));

-- name: GetTaskSource :one
-- The source id a task names, before a write changes it.
SELECT source_server_id FROM tasks WHERE id = ?;

-- name: SetTaskSourceServer :exec
-- Gives a task a source server id it lacked, with the listing that shows it.
UPDATE tasks SET source_server_id = ?, source_server = ?, listed_static = ?, listed_dynamic = ?
WHERE seq = sqlc.arg('seq');

-- name: SearchSourceNames :many
-- The seqs of the sources whose name contains a string (ASCII letters in any case), for a name
-- search of the status page: it reads every name, through sources_by_name rather than the rows.
SELECT seq FROM sources WHERE instr(lower(name), lower(CAST(sqlc.arg('name') AS TEXT))) > 0;

-- name: ListSourcesBySeq :many
-- The rows of a page of the status page's sources, which the source index chose and gives as a
-- JSON array of seqs in page order (CROSS JOIN keeps that order).
SELECT sources.* FROM json_each(CAST(sqlc.arg('seqs') AS TEXT)) AS entry
CROSS JOIN sources ON sources.seq = entry.value;

-- name: CountAllSources :one
SELECT count(*) FROM sources;

-- name: ListSourceIndexKeysAfter :many
-- What the in-memory source index is built from, in ListServers order, a batch of sources at a
-- time after the one given by its add_date and id.
SELECT seq, id, add_date, state, enterprise_project_id FROM sources
WHERE add_date <= sqlc.arg('add_date') AND (add_date < sqlc.arg('add_date') OR id > sqlc.arg('id'))
ORDER BY add_date DESC, id LIMIT sqlc.arg('limit');

-- name: ListSourceCallsAndTasksAfter :many
-- What the source index keeps beside each source for ListServers (its agent's last call stored
-- and its current task), a batch of sources at a time in seq order.
SELECT seq, id, last_seen, task_id FROM sources WHERE seq > sqlc.arg('after') ORDER BY seq LIMIT sqlc.arg('limit');

-- name: ListSourceChanges :many
-- The sources the transaction changed, with their index keys; a deleted one has no seq.
SELECT source_changes.id AS id, sources.seq, sources.add_date, sources.state, sources.enterprise_project_id,
    sources.last_seen, sources.task_id
FROM source_changes LEFT JOIN sources ON sources.id = source_changes.id;

-- name: ClearSourceChanges :exec
DELETE FROM source_changes;

-- name: ListSourcePage :one
-- Assembles the stored part of the ListServers JSON of a page of sources, as ListTaskPage does
-- tasks', the seqs given as a JSON array in page order: one string, each source its stored
-- listing, then char(2), its current task's id and char(2), then its task's stored pieces, the
-- sources separated by char(1), bytes no JSON text holds. The store puts in the members of
-- current_task that progress reports change, connected and last_visit_time, from memory, and
-- closes each object (db/sourcelisting.go). One short row a source.
SELECT CAST(coalesce(group_concat(
    l.listed || char(2) || coalesce(l.task, ''), char(1)), '') AS TEXT)
FROM json_each(CAST(sqlc.arg('seqs') AS TEXT)) AS entry
CROSS JOIN source_listings AS l ON l.seq = entry.value;

-- name: SetSourceListingTask :exec
-- Stores the pieces of a source's current task in the source's listing (db/sourcelisting.go).
UPDATE source_listings SET task = sqlc.narg('task')
WHERE seq = (SELECT seq FROM sources WHERE id = sqlc.arg('source_id'));

-- name: ListSourcesWithTasksAfter :many
-- Walks the sources that have a current task in seq order, a batch at a time, for migration 0010.
SELECT id, seq FROM sources WHERE task_seq IS NOT NULL AND seq > sqlc.arg('after')
ORDER BY seq LIMIT sqlc.arg('limit');
