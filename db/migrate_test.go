package db_test

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
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
	store = reopenAfter(t, path, append([]string{
		"ALTER TABLE tasks RENAME COLUMN listed_static TO view",
		"ALTER TABLE tasks RENAME COLUMN listed_dynamic TO sub_tasks_view",
		"UPDATE tasks SET view = '{}', sub_tasks_view = NULL",
		"CREATE INDEX tasks_by_state ON tasks (state, create_date DESC, id)",
		"CREATE INDEX tasks_by_enterprise_project ON tasks (enterprise_project_id, create_date DESC, id)",
		undoTemplates[0], undoTemplates[1],
		"PRAGMA user_version = 1",
	}, undo0007...)...)
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
	store = reopenAfter(t, path, append([]string{
		`UPDATE tasks SET listed_static = '{"id":"bare"', listed_dynamic = ',"state":"READY","migrate_speed":-0}'`,
		undoTemplates[0], undoTemplates[1],
		"PRAGMA user_version = 3",
	}, undo0007...)...)
	defer store.Close()
	got, err := store.ListTasks(ctx, query)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Tasks, want.Tasks) || !bytes.Contains(got.Tasks, []byte(`"name":"","create_date":`)) {
		t.Errorf("after migrating: %s\nwant %s", got.Tasks, want.Tasks)
	}
}

// undoTemplates takes migration 0006 back, for a database made to look older.
var undoTemplates = []string{"DROP INDEX tasks_by_vm_template", "DROP TABLE templates"}

// undo0007 turns a database back into one made before migration 0007.
var undo0007 = []string{"DROP TABLE IF EXISTS source_changes", "DROP TABLE IF EXISTS sources", "DROP TABLE migprojects"}

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
