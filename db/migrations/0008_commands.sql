-- The agent's command channel (docs/api.md#the-agents-command-channel): one row per command SMS
-- queues for a source server's agent. ShowCommand delivers the source's oldest undelivered one
-- (delivered_at), UpdateCommandResult answers its oldest delivered, unanswered one of a name
-- (result, result_detail as JSON text, result_at). A source's re-registration makes delivered,
-- unanswered commands pending again. task_id is kept after its task is deleted, for DELETE.
CREATE TABLE commands (
    seq           INTEGER PRIMARY KEY,
    source_id     TEXT    NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    task_id       TEXT,
    name          TEXT    NOT NULL,
    -- command_param as JSON text: {"task_id": ...} or {"bucket": ...}.
    params        TEXT    NOT NULL,
    queued_at     INTEGER NOT NULL,
    delivered_at  INTEGER,
    result        TEXT,
    result_detail TEXT,
    result_at     INTEGER
);
-- A poll reads the first pending command of its source, and nothing else, through this index.
CREATE INDEX commands_pending ON commands (source_id, seq) WHERE delivered_at IS NULL;
-- A result finds the oldest delivered, unanswered command of its name.
CREATE INDEX commands_unanswered ON commands (source_id, name, seq) WHERE delivered_at IS NOT NULL AND result IS NULL;
CREATE INDEX commands_by_task ON commands (task_id);

-- A task's timeline: created, actions, commands queued, delivered and answered, and the states
-- they moved it to, with the time of each (epoch ms). ShowTask and the status page show it.
CREATE TABLE task_events (
    seq     INTEGER PRIMARY KEY,
    task_id TEXT    NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    at      INTEGER NOT NULL,
    -- created, action, queued, delivered, result, state
    event   TEXT    NOT NULL,
    -- the action, command or state it is about
    name    TEXT    NOT NULL,
    detail  TEXT    NOT NULL
);
CREATE INDEX task_events_by_task ON task_events (task_id, seq);
