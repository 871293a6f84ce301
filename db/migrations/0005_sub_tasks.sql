-- A task's sub-tasks past the first 32 are rows of sub_tasks, so that a progress report reads
-- and rewrites one sub-task and the task's small columns however many sub-tasks the task has
-- (up to 65535), where it used to decode, change and encode the whole tasks.sub_tasks JSON
-- array, in the single writer. A task with 32 or fewer keeps them in tasks.sub_tasks, and
-- their ListTasks JSON in listed_dynamic, as before: reading and writing one row is cheaper
-- than reading and writing several, at that size (docs/storage.md, "Sub-tasks").
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

-- How many sub-tasks the task has; NULL if it has no sub_tasks array at all (ListTasks then
-- shows none, where [] shows an empty one). Its sub-tasks are rows of sub_tasks when it has
-- some and tasks.sub_tasks is NULL.
ALTER TABLE tasks ADD COLUMN sub_task_count INTEGER;
UPDATE tasks SET sub_task_count = json_array_length(sub_tasks) WHERE sub_tasks IS NOT NULL;

INSERT INTO sub_tasks (task_seq, position, id, name, progress, start_date, end_date, migrate_speed, user_op, process_trace)
SELECT tasks.seq, item.key,
       json_extract(item.value, '$.id'), json_extract(item.value, '$.name'),
       json_extract(item.value, '$.progress'), json_extract(item.value, '$.start_date'),
       json_extract(item.value, '$.end_date'), json_extract(item.value, '$.migrate_speed'),
       json_extract(item.value, '$.user_op'), json_extract(item.value, '$.process_trace')
FROM tasks, json_each(tasks.sub_tasks) AS item
WHERE tasks.sub_task_count > 32;
UPDATE tasks SET sub_tasks = NULL WHERE sub_task_count > 32;

-- For a task whose sub-tasks are rows, the position of the one the status page shows as its
-- current one (the one its last report named), so that the page reads that one and no other.
-- The Go step of this migration sets it.
ALTER TABLE tasks ADD COLUMN current_sub_task INTEGER;

-- listed_dynamic now ends with sub_tasks (when they are not rows); listed_tail holds the
-- members after it and the closing brace. The Go step renders both anew for every task.
ALTER TABLE tasks ADD COLUMN listed_tail TEXT;

-- A sub-task a report creates takes the sequence's next id, which is above every stored one
-- (imports and updates move it past theirs): made sure of here, so that a report need not look
-- for the largest id among its task's sub-tasks. -1 means no id is left.
UPDATE sequences SET next = CASE
    WHEN next = -1 THEN -1
    WHEN max(
        coalesce((SELECT max(id) FROM sub_tasks), 0),
        coalesce((SELECT max(json_extract(item.value, '$.id')) FROM tasks, json_each(tasks.sub_tasks) AS item), 0)
    ) = 9223372036854775807 THEN -1
    ELSE max(next,
        coalesce((SELECT max(id) FROM sub_tasks), 0) + 1,
        coalesce((SELECT max(json_extract(item.value, '$.id')) FROM tasks, json_each(tasks.sub_tasks) AS item), 0) + 1)
END
WHERE name = 'sub_task_id';
