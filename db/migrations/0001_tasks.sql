-- Migration tasks as ListTasks shows them, plus what UpdateTask and the agent's progress reports
-- store beyond that shape. Nested objects and sub-tasks are kept as JSON text in the form they
-- were accepted; ListTasks projects them into its documented shape.
CREATE TABLE tasks (
    -- seq is the rowid: the list index keeps it so that reads find a task without its id.
    seq                     INTEGER PRIMARY KEY,
    id                      TEXT    NOT NULL UNIQUE,
    name                    TEXT    NOT NULL,
    type                    TEXT,
    os_type                 TEXT,
    state                   TEXT    NOT NULL,
    estimate_complete_time  INTEGER,
    create_date             INTEGER NOT NULL,
    priority                INTEGER,
    speed_limit             INTEGER,
    migrate_speed           REAL,
    compress_rate           REAL,
    start_target_server     BOOLEAN,
    error_json              TEXT,
    total_time              INTEGER,
    migration_ip            TEXT,
    enterprise_project_id   TEXT,
    log_collect_status      TEXT,
    syncing                 BOOLEAN,
    total_cpu_usage         REAL,
    agent_cpu_usage         REAL,
    total_mem_usage         REAL,
    agent_mem_usage         REAL,
    total_disk_io           REAL,
    agent_disk_io           REAL,
    need_migration_test     BOOLEAN,
    subtask_info            TEXT,
    -- source_server_id mirrors source_server's id so the ListTasks filter can use an index.
    source_server_id        TEXT,
    source_server           TEXT,
    target_server           TEXT,
    clone_server            TEXT,
    network_check_info      TEXT,
    special_config          TEXT,
    sub_tasks               TEXT,
    -- Fields UpdateTask accepts that ListTasks does not show.
    region_id               TEXT,
    region_name             TEXT,
    project_id              TEXT,
    project_name            TEXT,
    vm_template_id          TEXT,
    exist_server            BOOLEAN,
    connected               BOOLEAN,
    start_date              INTEGER,
    finish_date             INTEGER,
    float_ip                TEXT,
    remain_seconds          INTEGER,
    target_snapshot_id      TEXT,
    use_ipv6                BOOLEAN,
    use_public_ip           BOOLEAN,
    enterprise_project      TEXT,
    image_disk_id           TEXT,
    target_disk_ids         TEXT,
    snapshot_ids            TEXT,
    cutovered_snapshot_ids  TEXT,
    -- What the agent last reported beyond the task's own fields.
    replicatesize           INTEGER,
    totalsize               INTEGER,
    agent_time              TEXT,
    last_report_date        INTEGER,
    -- ListTasks answers from these, so that a page costs one short read per task and no JSON
    -- decoding: view is the task's ListTasks JSON without the fields a progress report may
    -- change (written by imports and updates); sub_tasks_view is sub_tasks in the ListTasks
    -- shape (written with sub_tasks). Those fields are added from their columns at read time.
    view                    TEXT    NOT NULL DEFAULT '{}',
    sub_tasks_view          TEXT
);

-- ListTasks order is create_date DESC, id; each filter has an index that serves it in that order.
CREATE INDEX tasks_by_create_date ON tasks (create_date DESC, id);
CREATE INDEX tasks_by_state ON tasks (state, create_date DESC, id);
CREATE INDEX tasks_by_enterprise_project ON tasks (enterprise_project_id, create_date DESC, id);
CREATE INDEX tasks_by_name ON tasks (name);
CREATE INDEX tasks_by_source_server ON tasks (source_server_id);

-- Counters. sub_task_id numbers the sub-tasks that progress reports create.
CREATE TABLE sequences (
    name TEXT    NOT NULL PRIMARY KEY,
    next INTEGER NOT NULL
);
INSERT INTO sequences (name, next) VALUES ('sub_task_id', 1);
