-- Server templates: the target servers SMS creates, which CreateTask takes by id. Nested objects
-- (vpc, nics, security_groups, publicip, disk) are kept as JSON text in the form they were
-- accepted. create_date is when smslab stored the template, for the list order only.
CREATE TABLE templates (
    id                  TEXT    NOT NULL PRIMARY KEY,
    name                TEXT    NOT NULL UNIQUE,
    -- What the request said (true when it said nothing); answered as the String "false" while a
    -- task names the template in vm_template_id.
    is_template         BOOLEAN NOT NULL,
    region              TEXT,
    projectid           TEXT,
    target_server_name  TEXT,
    availability_zone   TEXT,
    volumetype          TEXT,
    flavor              TEXT,
    vpc                 TEXT,
    nics                TEXT,
    security_groups     TEXT,
    publicip            TEXT,
    disk                TEXT,
    data_volume_type    TEXT,
    target_password     TEXT,
    image_id            TEXT,
    create_date         INTEGER NOT NULL
);

CREATE INDEX templates_by_create_date ON templates (create_date DESC, id);

-- A template is bound to the tasks that name it: they make it answer is_template "false" and
-- keep it from being deleted. Most tasks name none, and the index leaves them out.
CREATE INDEX tasks_by_vm_template ON tasks (vm_template_id) WHERE vm_template_id IS NOT NULL;
