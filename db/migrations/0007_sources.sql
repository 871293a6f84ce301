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
