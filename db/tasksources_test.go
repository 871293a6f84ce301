package db

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"smslab/sms"
)

// A database made before migration 0007 gets a default project and a source for every task: a
// task's source is made from its source_server object, tasks naming the same source share it,
// and a task without a source id gets one. Every listing stays as it was, but for the id the
// last one now shows.
func TestMigrationGivesEveryTaskASource(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	store := mustOpen(t, path)
	tasks := []sms.Task{
		{ID: ptr("t1"), Name: ptr("web"), State: ptr("RUNNING"), CreateDate: ptr(int64(1000)), OsType: ptr("LINUX"),
			EnterpriseProjectID: ptr("ep-1"),
			SourceServer:        &sms.TaskSourceServer{ID: ptr("s1"), Name: ptr("web-01"), IP: ptr("10.0.0.1"), OsVersion: ptr("CENTOS_7"), State: ptr("AVAILABLE")}},
		{ID: ptr("t2"), Name: ptr("web again"), State: ptr("MIGRATE_FAIL"), CreateDate: ptr(int64(2000)),
			SourceServer: &sms.TaskSourceServer{ID: ptr("s1")}},
		{ID: ptr("t3"), Name: ptr("no source"), State: ptr("READY"), CreateDate: ptr(int64(3000))},
	}
	if err := store.Import(ctx, tasks); err != nil {
		t.Fatal(err)
	}
	before, err := store.ListTasks(ctx, &sms.ListTasksQuery{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	// What the smslab before 0007 stored for t3: no source server at all.
	row, err := store.GetTask(ctx, "t3")
	if err != nil {
		t.Fatal(err)
	}
	v, err := taskView(row)
	if err != nil {
		t.Fatal(err)
	}
	v.SourceServer = nil
	bare, err := renderListedStatic(v)
	if err != nil {
		t.Fatal(err)
	}
	store.Close()

	version := slices.Index(migrationNames(), "migrations/0007_sources.sql")
	conn, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"DROP TABLE source_listings",
		"DROP TRIGGER tasks_deleted_settings", "DROP TABLE task_keys", "DROP TABLE task_configurations", "DROP TABLE task_speed_limits",
		"DROP TABLE task_events", "DROP TABLE commands", "DROP TABLE source_changes", "DROP TABLE sources", "DROP TABLE migprojects",
		"UPDATE tasks SET source_server = NULL, source_server_id = NULL, listed_static = '" + strings.ReplaceAll(bare, "'", "''") + "' WHERE id = 't3'",
		"PRAGMA user_version = " + strconv.Itoa(version),
	} {
		if _, err := conn.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	conn.Close()

	store = mustOpen(t, path)
	defer store.Close()
	after, err := store.ListTasks(ctx, &sms.ListTasksQuery{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	t3, err := store.GetTask(ctx, "t3")
	if err != nil {
		t.Fatal(err)
	}
	if t3.SourceServerID == nil || len(*t3.SourceServerID) != 36 {
		t.Fatalf("t3's source id %v, want a new UUID", t3.SourceServerID)
	}
	oldT3 := *row.SourceServerID
	want := strings.Replace(string(before.Tasks), oldT3, *t3.SourceServerID, 1)
	if string(after.Tasks) != want {
		t.Errorf("listings after the migration:\n%s\nwant\n%s", after.Tasks, want)
	}
	s1, err := store.GetSource(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	// s1's current task is the newest naming it, t2, which failed.
	if *s1.Name != "web-01" || *s1.IP != "10.0.0.1" || *s1.OsType != "LINUX" || *s1.OsVersion != "CENTOS_7" ||
		*s1.EnterpriseProjectID != "ep-1" || *s1.AddDate != 1000 || *s1.CurrentTask.ID != "t2" || *s1.State != "error" {
		t.Errorf("s1: %+v", s1)
	}
	if s3, err := store.GetSource(ctx, *t3.SourceServerID); err != nil || *s3.CurrentTask.ID != "t3" || *s3.State != "waiting" {
		t.Errorf("t3's source: %+v %v", s3, err)
	}
	count, projects, err := store.ListMigprojects(ctx, &sms.PageQuery{Limit: 10})
	if err != nil || count != 1 || *projects[0].Name != "default" || !*projects[0].Isdefault || *s1.Migproject != *projects[0].ID {
		t.Errorf("projects after the migration: %d %+v %v", count, projects, err)
	}
}

// Deleting a source deletes its tasks, which leave the list index: a listing filtered by state
// no longer counts them, and an import brings one back.
func TestDeletedSourcesTakeTheirTasksOutOfTheIndex(t *testing.T) {
	ctx := context.Background()
	store := mustOpenStore(t)
	tasks := []sms.Task{
		{ID: ptr("t1"), State: ptr("READY"), SourceServer: &sms.TaskSourceServer{ID: ptr("s1")}},
		{ID: ptr("t2"), State: ptr("READY"), SourceServer: &sms.TaskSourceServer{ID: ptr("s2")}},
	}
	if err := store.Import(ctx, tasks); err != nil {
		t.Fatal(err)
	}
	if err := store.DeleteSources(ctx, []string{"s1"}); err != nil {
		t.Fatal(err)
	}
	count := func() int64 {
		page, err := store.ListTasks(ctx, &sms.ListTasksQuery{State: ptr("READY"), Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return page.Count
	}
	if n := count(); n != 1 {
		t.Errorf("READY tasks after deleting s1: %d, want 1", n)
	}
	if err := store.ReportProgress(ctx, "t1", &sms.ProgressReport{SubtaskName: ptr("SSL_CONFIG"), Progress: ptr(int32(1)),
		Replicatesize: ptr(int64(0)), Totalsize: ptr(int64(0)), ProcessTrace: ptr("")}); !isNotFound(err) {
		t.Errorf("a report on a deleted task: %v", err)
	}
	if err := store.Import(ctx, tasks[:1]); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 2 {
		t.Errorf("READY tasks after importing t1 again: %d, want 2", n)
	}
}
