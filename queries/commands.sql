-- The agent's command channel and the tasks' timelines (migration 0008; db/commands.go).

-- name: GetPollState :one
-- What a poll needs to answer without writing: whether the source exists, its current task's
-- state, and its first pending command, if any, all by index.
SELECT sources.id, tasks.id AS task_id, tasks.state AS task_state,
    CAST(coalesce((SELECT commands.seq FROM commands WHERE commands.source_id = sources.id AND commands.delivered_at IS NULL
     ORDER BY commands.seq LIMIT 1), 0) AS INTEGER) AS pending
FROM sources LEFT JOIN tasks ON tasks.seq = sources.task_seq
WHERE sources.id = ?;

-- name: GetPendingCommand :one
SELECT * FROM commands WHERE source_id = ? AND delivered_at IS NULL ORDER BY seq LIMIT 1;

-- name: SetCommandDelivered :exec
UPDATE commands SET delivered_at = sqlc.arg('delivered_at') WHERE seq = sqlc.arg('seq');

-- name: GetUnansweredCommand :one
SELECT * FROM commands
WHERE source_id = ? AND name = ? AND delivered_at IS NOT NULL AND result IS NULL
ORDER BY seq LIMIT 1;

-- name: SetCommandResult :exec
UPDATE commands SET result = sqlc.arg('result'), result_detail = sqlc.arg('result_detail'),
    result_at = sqlc.arg('result_at')
WHERE seq = sqlc.arg('seq');

-- name: CreateCommand :exec
INSERT INTO commands (source_id, task_id, name, params, queued_at) VALUES (?, ?, ?, ?, ?);

-- name: RequeueCommands :exec
-- An agent that registers again has restarted: what it took and did not answer is pending again.
UPDATE commands SET delivered_at = NULL
WHERE source_id = ? AND delivered_at IS NOT NULL AND result IS NULL;

-- name: DeleteTaskCommands :exec
DELETE FROM commands WHERE task_id = ?;

-- name: CountPendingCommands :one
SELECT count(*) FROM commands WHERE source_id = ? AND delivered_at IS NULL;

-- name: CreateTaskEvent :exec
INSERT INTO task_events (task_id, at, event, name, detail) VALUES (?, ?, ?, ?, ?);

-- name: ListTaskEvents :many
-- The newest events of a task, newest first (the caller turns them around).
SELECT at, event, name, detail FROM task_events WHERE task_id = ? ORDER BY seq DESC LIMIT ?;

-- name: GetTaskSourceState :one
-- The source a task names, for the checks CreateTask makes.
SELECT id, task_id, last_seen FROM sources WHERE id = ?;
