-- A task's settings (migration 0009): speed-limit windows, advanced migration options, keys.
-- Each operation first reads what it needs of the task, which also tells it the task exists.

-- name: GetTaskSettingsBase :one
-- What the settings calls need of the task itself: its kind (for migrate_type) and the options
-- a seed file gave it in special_config.
SELECT type, os_type, source_server, special_config FROM tasks WHERE id = ?;

-- name: ListTaskSpeedLimits :many
SELECT start_time, end_time, speed, over_speed_threshold FROM task_speed_limits
WHERE task_id = ? ORDER BY position;

-- name: DeleteTaskSpeedLimits :exec
DELETE FROM task_speed_limits WHERE task_id = ?;

-- name: CreateTaskSpeedLimit :exec
INSERT INTO task_speed_limits (task_id, position, start_time, end_time, speed, over_speed_threshold)
VALUES (?, ?, ?, ?, ?, ?);

-- name: ListTaskConfigurations :many
SELECT config_key, config_value, config_status FROM task_configurations
WHERE task_configurations.task_id = sqlc.arg('task_id')
  AND (sqlc.narg('config_key') IS NULL OR task_configurations.config_key = sqlc.narg('config_key'))
ORDER BY config_key;

-- name: UpsertTaskConfiguration :exec
INSERT INTO task_configurations (task_id, config_key, config_value, config_status)
VALUES (?, ?, ?, ?)
ON CONFLICT (task_id, config_key) DO UPDATE SET
    config_value = excluded.config_value, config_status = excluded.config_status;

-- name: GetTaskKeys :one
SELECT * FROM task_keys WHERE task_id = ?;

-- name: CreateTaskKeys :exec
-- Two first asks may race: the first stored wins, and both answer it.
INSERT INTO task_keys (
    task_id, passphrase, ca, cert, private_key, target_mgmt_cert, target_mgmt_private_key,
    target_data_cert, target_data_private_key, create_date
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (task_id) DO NOTHING;
