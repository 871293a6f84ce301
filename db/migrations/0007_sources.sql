-- Migration projects, which group source servers. Every field of the API has a value (the
-- documented defaults fill those a request leaves out). Exactly one project is the default:
-- the store keeps one, and this index refuses a second. migrate.go's Go step adds the first
-- one, named default, with an id of its own.
CREATE TABLE migprojects (
    seq                 INTEGER PRIMARY KEY,
    id                  TEXT    NOT NULL UNIQUE,
    name                TEXT    NOT NULL UNIQUE,
    description         TEXT    NOT NULL,
    isdefault           BOOLEAN NOT NULL,
    region              TEXT    NOT NULL,
    start_target_server BOOLEAN NOT NULL,
    speed_limit         INTEGER NOT NULL,
    use_public_ip       BOOLEAN NOT NULL,
    exist_server        BOOLEAN NOT NULL,
    type                TEXT    NOT NULL,
    enterprise_project  TEXT    NOT NULL,
    syncing             BOOLEAN NOT NULL,
    start_network_check BOOLEAN NOT NULL,
    create_date         INTEGER NOT NULL
);
CREATE UNIQUE INDEX migprojects_default ON migprojects (isdefault) WHERE isdefault;
-- ListMigprojects order: newest first, then by id.
CREATE INDEX migprojects_by_create_date ON migprojects (create_date DESC, id);

-- Source servers: what their agents registered, the nested facts (disks, volume groups, Btrfs
-- file systems, NICs) as JSON text in their API shape, and what SMS works out from them: the
-- environment checks and the recommended target (init_target_server), also JSON. Every task's
-- source_server.id names a source here (migrate.go's Go step makes one for each task of an older
-- database). task_id is the source's current task, the newest task naming it; task_state is the
-- state that task had when state and migration_cycle last followed it (lifecycle.SourceRules),
-- so that an UpdateCopyState holds until the task's state next changes. last_seen is the last
-- agent call stored (at most once a second: db/agentcalls.go). listed is the source's listing.
CREATE TABLE sources (
    seq                         INTEGER PRIMARY KEY,
    id                          TEXT    NOT NULL UNIQUE,
    name                        TEXT    NOT NULL,
    hostname                    TEXT,
    ip                          TEXT,
    ipv6                        TEXT,
    os_type                     TEXT,
    os_version                  TEXT,
    migproject                  TEXT    NOT NULL REFERENCES migprojects (id),
    enterprise_project_id       TEXT    NOT NULL,
    add_date                    INTEGER NOT NULL,
    state                       TEXT    NOT NULL,
    migration_cycle             TEXT    NOT NULL,
    state_action_time           INTEGER NOT NULL,
    stage_action_time           INTEGER NOT NULL,
    task_id                     TEXT,
    task_seq                    INTEGER, -- the task's rowid, which ListSourcePage joins on
    task_state                  TEXT,
    last_seen                   INTEGER,
    is_consistency_result_exist BOOLEAN NOT NULL,
    agent_version               TEXT,
    kernel_version              TEXT,
    firmware                    TEXT,
    boot_loader                 TEXT,
    linux_block_check           TEXT,
    cpu_quantity                INTEGER,
    memory                      INTEGER,
    domain_id                   TEXT,
    has_rsync                   BOOLEAN,
    paravirtualization          BOOLEAN,
    raw_devices                 TEXT,
    driver_files                BOOLEAN,
    system_services             BOOLEAN,
    account_rights              BOOLEAN,
    system_dir                  TEXT,
    oem_system                  BOOLEAN,
    start_type                  TEXT,
    io_read_wait                REAL,
    has_tc                      BOOLEAN,
    platform                    TEXT,
    disks                       TEXT,
    volume_groups               TEXT,
    btrfs_list                  TEXT,
    networks                    TEXT,
    checks                      TEXT    NOT NULL,
    init_target_server          TEXT    NOT NULL,
    -- The source's ListServers JSON but for checks and init_target_server, which are stored
    -- above, and what its agent's calls and its task change: the opening brace and the members,
    -- without the closing brace (db/sources.go, renderListed). ListSourcePage adds the rest.
    listed                      TEXT    NOT NULL
);
-- ListServers order: newest add_date first, then by id.
CREATE INDEX sources_by_add_date ON sources (add_date DESC, id);
-- A registration without an id finds its source by name and address; the name filter too.
CREATE INDEX sources_by_name ON sources (name);
CREATE INDEX sources_by_task ON sources (task_id);
CREATE INDEX sources_by_migproject ON sources (migproject);

-- The sources whose place in ListServers' order or filters (add_date, state, enterprise project)
-- a transaction changed, or that it added or deleted: the committer reads and empties this table
-- before it commits, and moves those sources in its in-memory source index once the transaction
-- has committed (db/commit.go). Triggers fill it, so that no write can change a source without
-- the index learning of it; a write rolled back takes its rows with it.
CREATE TABLE source_changes (id TEXT NOT NULL PRIMARY KEY) WITHOUT ROWID;
CREATE TRIGGER sources_added AFTER INSERT ON sources
BEGIN INSERT OR IGNORE INTO source_changes (id) VALUES (new.id); END;
CREATE TRIGGER sources_moved AFTER UPDATE OF add_date, state, enterprise_project_id ON sources
BEGIN INSERT OR IGNORE INTO source_changes (id) VALUES (new.id); END;
CREATE TRIGGER sources_deleted AFTER DELETE ON sources
BEGIN INSERT OR IGNORE INTO source_changes (id) VALUES (old.id); END;
