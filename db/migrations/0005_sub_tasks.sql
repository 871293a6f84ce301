-- Each sub-task is a row of sub_tasks, so that a progress report reads and rewrites one sub-task
-- and the task's small columns however many sub-tasks the task has (up to 65535), where it used
-- to decode, change and encode the whole tasks.sub_tasks JSON array, in the single writer.
CREATE TABLE sub_tasks (
    task_seq       INTEGER NOT NULL REFERENCES tasks (seq) ON DELETE CASCADE,
    -- The sub-task's place in the task's sub_tasks array, from 0.
    position       INTEGER NOT NULL,
    id             INTEGER,
    name           TEXT,
    progress       INTEGER,
    start_date     INTEGER,
    end_date       INTEGER,
    migrate_speed  REAL,
    user_op        TEXT,
    process_trace  TEXT,
    -- The sub-task's ListTasks JSON, which a page joins into its task's sub_tasks array
    -- (ListTaskPage). The Go step of this migration renders it for the rows moved here.
    listed         TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (task_seq, position)
) WITHOUT ROWID;

-- A progress report finds its sub-task by name.
CREATE INDEX sub_tasks_by_name ON sub_tasks (task_seq, name);

INSERT INTO sub_tasks (task_seq, position, id, name, progress, start_date, end_date, migrate_speed, user_op, process_trace)
SELECT tasks.seq, item.key,
       json_extract(item.value, '$.id'), json_extract(item.value, '$.name'),
       json_extract(item.value, '$.progress'), json_extract(item.value, '$.start_date'),
       json_extract(item.value, '$.end_date'), json_extract(item.value, '$.migrate_speed'),
       json_extract(item.value, '$.user_op'), json_extract(item.value, '$.process_trace')
FROM tasks, json_each(tasks.sub_tasks) AS item
WHERE tasks.sub_tasks IS NOT NULL;

-- How many sub-tasks the task has; NULL if it has no sub_tasks array at all (ListTasks then
-- shows none, where [] shows an empty one).
ALTER TABLE tasks ADD COLUMN sub_task_count INTEGER;
UPDATE tasks SET sub_task_count = json_array_length(sub_tasks) WHERE sub_tasks IS NOT NULL;
ALTER TABLE tasks DROP COLUMN sub_tasks;

-- The position of the sub-task the status page shows as the task's current one (the one its
-- last report named), so that the page reads that one sub-task and no other. The Go step of
-- this migration sets it.
ALTER TABLE tasks ADD COLUMN current_sub_task INTEGER;

-- listed_dynamic now ends before sub_tasks; listed_tail holds the members after it and the
-- closing brace. The Go step renders both anew for every task.
ALTER TABLE tasks ADD COLUMN listed_tail TEXT;

-- A sub-task a report creates takes the sequence's next id, which is above every stored one
-- (imports and updates move it past theirs): made sure of here, so that a report need not look
-- for the largest id among its task's sub-tasks. -1 means no id is left.
UPDATE sequences SET next = CASE
    WHEN next = -1 THEN -1
    WHEN (SELECT max(id) FROM sub_tasks) = 9223372036854775807 THEN -1
    ELSE max(next, coalesce((SELECT max(id) FROM sub_tasks), 0) + 1)
END
WHERE name = 'sub_task_id';
