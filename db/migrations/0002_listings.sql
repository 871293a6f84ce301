-- ListTasks pages are assembled by SQLite from two stored fragments of each task's ListTasks
-- JSON, so that a page costs one short read per task and nothing is decoded or encoded:
-- listed_static is the object's opening brace and the members that only imports and updates
-- change (always "id" among them); listed_dynamic is the members a progress report may change,
-- each preceded by a comma, and the closing brace. Their concatenation is the task's JSON.
-- They take the place of view and sub_tasks_view, which db/migrate.go renders anew for every
-- stored task in the same transaction as these statements.
ALTER TABLE tasks RENAME COLUMN view TO listed_static;
ALTER TABLE tasks RENAME COLUMN sub_tasks_view TO listed_dynamic;
