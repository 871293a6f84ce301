package db_test

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"

	"smslab/db"
	"smslab/seed"
	"smslab/sms"
)

// A database made by smslab before migrations 0002 and 0003 (schema version 1) lists exactly
// what a new database holding the same tasks lists, once opened: migration 0002 renders every
// task's listing fragments from its columns.
func TestMigrationRendersListingsOfOlderDatabase(t *testing.T) {
	ctx := context.Background()
	demo, err := seed.Load(sms.NewDecoder(), seed.Demo)
	if err != nil {
		t.Fatal(err)
	}
	tasks := demo.Tasks
	path := filepath.Join(t.TempDir(), "old.db")
	store, err := db.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Import(ctx, tasks); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := store.Upgraded(); ok {
		t.Error("a new database is reported as upgraded")
	}
	query := &sms.ListTasksQuery{Limit: 100}
	want, err := store.ListTasks(ctx, query)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}

	// Turn the file back into schema version 1, whose view and sub_tasks_view columns migration
	// 0002 does not read: their contents here are not what any listing holds.
	store = reopenAfter(t, path, slices.Concat(asVersion4, []string{
		"ALTER TABLE tasks RENAME COLUMN listed_static TO view",
		"ALTER TABLE tasks RENAME COLUMN listed_dynamic TO sub_tasks_view",
		"UPDATE tasks SET view = '{}', sub_tasks_view = NULL",
		"CREATE INDEX tasks_by_state ON tasks (state, create_date DESC, id)",
		"CREATE INDEX tasks_by_enterprise_project ON tasks (enterprise_project_id, create_date DESC, id)",
		"PRAGMA user_version = 1",
	})...)
	defer store.Close()
	if from, to, ok := store.Upgraded(); from != 1 || to != migrationCount(t) || !ok {
		t.Errorf("Upgraded() = %d, %d, %v; want 1, %d, true", from, to, ok, migrationCount(t))
	}
	got, err := store.ListTasks(ctx, query)
	if err != nil {
		t.Fatal(err)
	}
	if got.Count != int64(len(tasks)) || got.Count != want.Count || !bytes.Equal(got.Tasks, want.Tasks) {
		t.Errorf("after migrating: %d tasks\n%s\nwant %d\n%s", got.Count, got.Tasks, want.Count, want.Tasks)
	}
}

// A database of schema version 3 gets its listings rendered again (migration 0004): a figure of
// -0 lists as 0, and a seed task imported without a name or a creation date lists both.
func TestMigrationRendersListingsAgain(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v3.db")
	store, err := db.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Import(ctx, []sms.Task{{ID: ptr("bare"), State: ptr("READY")}}); err != nil {
		t.Fatal(err)
	}
	query := &sms.ListTasksQuery{Limit: 10}
	want, err := store.ListTasks(ctx, query)
	if err != nil {
		t.Fatal(err)
	}
	store.Close()

	// What the build before 0004 stored for such a task: no name, no creation date, a -0.
	store = reopenAfter(t, path, slices.Concat(asVersion4, []string{
		`UPDATE tasks SET listed_static = '{"id":"bare"', listed_dynamic = ',"state":"READY","migrate_speed":-0}'`,
		"PRAGMA user_version = 3",
	})...)
	defer store.Close()
	got, err := store.ListTasks(ctx, query)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Tasks, want.Tasks) || !bytes.Contains(got.Tasks, []byte(`"name":"","create_date":`)) {
		t.Errorf("after migrating: %s\nwant %s", got.Tasks, want.Tasks)
	}
}

// undo0009 takes migration 0009 (a task's settings) back.
var undo0009 = []string{"DROP TRIGGER tasks_deleted_settings", "DROP TABLE task_keys",
	"DROP TABLE task_configurations", "DROP TABLE task_speed_limits"}

// undo0007 turns a database back into one made before migration 0007 (and 0008 and 0010, which build on it).
var undo0007 = []string{"DROP TABLE IF EXISTS source_listings", "DROP TABLE IF EXISTS task_events", "DROP TABLE IF EXISTS commands", "DROP TABLE IF EXISTS source_changes", "DROP TABLE IF EXISTS sources", "DROP TABLE migprojects"}

// undoTemplates takes migration 0006 back, for a database made to look older.
var undoTemplates = []string{"DROP INDEX tasks_by_vm_template", "DROP TABLE templates"}

// before0005 turns a database of schema version 4 back into what it was before migration 0005:
// all sub-tasks in the JSON column tasks.sub_tasks, listed_dynamic to the closing brace
// (rendered anew by the migration).
var before0005 = []string{
	`UPDATE tasks SET sub_tasks = (SELECT json_group_array(json_object('id', id, 'name', name,
		'progress', progress, 'start_date', start_date, 'end_date', end_date, 'migrate_speed', migrate_speed,
		'user_op', user_op, 'process_trace', process_trace))
		FROM (SELECT * FROM sub_tasks WHERE task_seq = tasks.seq ORDER BY position))
	WHERE sub_tasks IS NULL AND sub_task_count IS NOT NULL`,
	"UPDATE tasks SET listed_dynamic = listed_dynamic || listed_tail",
	"DROP TABLE sub_tasks",
	"ALTER TABLE tasks DROP COLUMN sub_task_count",
	"ALTER TABLE tasks DROP COLUMN current_sub_task",
	"ALTER TABLE tasks DROP COLUMN listed_tail",
}

// asVersion4 turns a database back into one of schema version 4, made before migrations 0005
// to 0009: it takes them back, the newest first.
var asVersion4 = slices.Concat(undo0009, undo0007, undoTemplates, before0005, []string{"PRAGMA user_version = 4"})

// migrationCount is the schema version of a fully migrated database: how many migrations there
// are.
func migrationCount(t *testing.T) int {
	t.Helper()
	names, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("no migrations found: %v", err)
	}
	return len(names)
}

// reopenAfter runs stmts on the closed database at path, to make it what an earlier smslab left,
// and opens it again.
func reopenAfter(t *testing.T, path string, stmts ...string) *db.Store {
	t.Helper()
	conn, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range stmts {
		if _, err := conn.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	conn.Close()
	store, err := db.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return store
}

func ptr[T any](v T) *T { return &v }
