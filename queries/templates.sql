-- Server templates. A lab holds a handful, so the optional filters of ListTemplates scan the
-- table in list order rather than keep an index per filter.

-- name: GetTemplate :one
SELECT sqlc.embed(templates),
       EXISTS (SELECT 1 FROM tasks WHERE tasks.vm_template_id = templates.id) AS bound
FROM templates WHERE templates.id = ?;

-- name: ListTemplates :many
SELECT sqlc.embed(templates),
       EXISTS (SELECT 1 FROM tasks WHERE tasks.vm_template_id = templates.id) AS bound
FROM templates
WHERE (sqlc.narg('id') IS NULL OR templates.id = sqlc.narg('id'))
  AND (sqlc.narg('name') IS NULL OR templates.name = sqlc.narg('name'))
  AND (sqlc.narg('availability_zone') IS NULL OR templates.availability_zone = sqlc.narg('availability_zone'))
  AND (sqlc.narg('region') IS NULL OR templates.region = sqlc.narg('region'))
ORDER BY templates.create_date DESC, templates.id
LIMIT sqlc.arg('limit') OFFSET sqlc.arg('offset');

-- name: CountTemplates :one
SELECT count(*) FROM templates
WHERE (sqlc.narg('id') IS NULL OR id = sqlc.narg('id'))
  AND (sqlc.narg('name') IS NULL OR name = sqlc.narg('name'))
  AND (sqlc.narg('availability_zone') IS NULL OR availability_zone = sqlc.narg('availability_zone'))
  AND (sqlc.narg('region') IS NULL OR region = sqlc.narg('region'));

-- name: GetTemplateIDByName :one
SELECT id FROM templates WHERE name = ?;

-- name: GetTemplateTask :one
-- A task that names the template, the newest: the one a refused delete names.
SELECT id, state FROM tasks WHERE vm_template_id = sqlc.arg('template_id')
ORDER BY create_date DESC, id LIMIT 1;

-- name: UpsertTemplate :exec
-- Writes a whole template, replacing any stored under the same id. The column list is in table
-- order so that the generated params convert directly from a Template.
INSERT INTO templates (
    id, name, is_template, region, projectid, target_server_name, availability_zone, volumetype,
    flavor, vpc, nics, security_groups, publicip, disk, data_volume_type, target_password,
    image_id, create_date
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    name = excluded.name, is_template = excluded.is_template, region = excluded.region,
    projectid = excluded.projectid, target_server_name = excluded.target_server_name,
    availability_zone = excluded.availability_zone, volumetype = excluded.volumetype,
    flavor = excluded.flavor, vpc = excluded.vpc, nics = excluded.nics,
    security_groups = excluded.security_groups, publicip = excluded.publicip,
    disk = excluded.disk, data_volume_type = excluded.data_volume_type,
    target_password = excluded.target_password, image_id = excluded.image_id,
    create_date = excluded.create_date;

-- name: DeleteTemplate :execrows
DELETE FROM templates WHERE templates.id = ?;
