-- Migration projects. ListMigprojects pages through them newest first; a lab holds a handful.

-- name: GetMigproject :one
SELECT * FROM migprojects WHERE id = ?;

-- name: GetDefaultMigproject :one
SELECT * FROM migprojects WHERE isdefault;

-- name: GetMigprojectByName :one
SELECT * FROM migprojects WHERE name = ?;

-- name: ListMigprojects :many
SELECT * FROM migprojects
ORDER BY create_date DESC, id
LIMIT sqlc.arg('limit') OFFSET sqlc.arg('offset');

-- name: ListAllMigprojects :many
SELECT * FROM migprojects ORDER BY create_date DESC, id;

-- name: CountMigprojects :one
SELECT count(*) FROM migprojects;

-- name: UpsertMigproject :exec
-- Writes a whole project, replacing any stored under the same id.
INSERT INTO migprojects (
    id, name, description, isdefault, region, start_target_server, speed_limit, use_public_ip,
    exist_server, type, enterprise_project, syncing, start_network_check, create_date
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    name = excluded.name, description = excluded.description, isdefault = excluded.isdefault,
    region = excluded.region, start_target_server = excluded.start_target_server,
    speed_limit = excluded.speed_limit, use_public_ip = excluded.use_public_ip,
    exist_server = excluded.exist_server, type = excluded.type,
    enterprise_project = excluded.enterprise_project, syncing = excluded.syncing,
    start_network_check = excluded.start_network_check, create_date = excluded.create_date;

-- name: ClearDefaultMigproject :exec
-- Makes no project the default, so that another can be made it.
UPDATE migprojects SET isdefault = 0 WHERE isdefault;

-- name: SetDefaultMigproject :exec
UPDATE migprojects SET isdefault = 1 WHERE id = ?;

-- name: DeleteMigproject :exec
DELETE FROM migprojects WHERE id = ?;
