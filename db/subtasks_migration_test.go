package db

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"smslab/sms"
)

// openV4Fixture makes a database from testdata/v4.sql, written by smslab before migration 0005
// (testdata/makev4 says how), and opens it, which migrates it. It also returns the ids of the
// tasks that named no source server there.
func openV4Fixture(t *testing.T) (*Store, []string) {
	t.Helper()
	dump, err := os.ReadFile("testdata/v4.sql")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "v4.db")
	conn, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(string(dump)); err != nil {
		t.Fatal(err)
	}
	var sourceless []string
	rows, err := conn.Query("SELECT id FROM tasks WHERE source_server_id IS NULL")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		sourceless = append(sourceless, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	store := mustOpen(t, path)
	t.Cleanup(func() { store.Close() })
	if from, _, ok := store.Upgraded(); from != 4 || !ok {
		t.Fatalf("Upgraded() = %d, %v; want from 4", from, ok)
	}
	return store, sourceless
}

// Migration 0005 moves every task's sub-tasks into rows of their own, and the database serves
// what it served before, byte for byte: the ListTasks page that smslab wrote down before the
// migration (testdata/v4-list.json), each task alone through SQL, every task's stored sub-tasks,
// and the status page's current sub-task of each task. The migration works in batches of 7 here,
// so that tasks and a task's sub-tasks span several. The one difference is migration 0007's: a
// task that named no source server now names a new one, by id alone (sourceIDsTakenOut).
func TestMigrationMovesSubTasksAndListsTheSame(t *testing.T) {
	ctx := context.Background()
	defer func(batch int64) { migrationBatch = batch }(migrationBatch)
	migrationBatch = 7
	store, sourceless := openV4Fixture(t)
	newSourceIDs := make([]string, len(sourceless))
	for i, id := range sourceless {
		task, err := store.GetTask(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if task.SourceServerID == nil || len(*task.SourceServerID) != 36 {
			t.Fatalf("task %s: source id %v, want a new UUID", id, task.SourceServerID)
		}
		newSourceIDs[i] = *task.SourceServerID
	}

	want, err := os.ReadFile("testdata/v4-list.json")
	if err != nil {
		t.Fatal(err)
	}
	want = bytes.TrimSpace(want)
	page, err := store.ListTasks(ctx, &sms.ListTasksQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if got := append(append([]byte("["), sourceIDsTakenOut(t, page.Tasks, newSourceIDs)...), ']'); !bytes.Equal(got, want) {
		t.Errorf("ListTasks after the migration:\n%s\nbefore:\n%s", got, want)
	}
	for _, id := range newSourceIDs {
		if !bytes.Contains(page.Tasks, []byte(`,"source_server":{"id":"`+id+`"}`)) {
			t.Errorf("the new source %s is not listed as its task's", id)
		}
	}
	var listed []jsontext.Value
	if err := json.Unmarshal(want, &listed); err != nil {
		t.Fatal(err)
	}
	for _, task := range listed {
		var v struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(task, &v); err != nil {
			t.Fatal(err)
		}
		page, err := store.ListTasks(ctx, &sms.ListTasksQuery{ID: &v.ID, Limit: 10})
		if err == nil {
			page.Tasks = sourceIDsTakenOut(t, page.Tasks, newSourceIDs)
		}
		if err != nil || page.Count != 1 || !bytes.Equal(page.Tasks, task) {
			t.Errorf("task %s alone (%v):\n%s\nbefore:\n%s", v.ID, err, page.Tasks, task)
		}
	}

	var stored map[string][]sms.SubTask
	readJSON(t, "testdata/v4-sub-tasks.json", &stored)
	var highest int64
	for id, want := range stored {
		task, err := store.GetTask(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var got []sms.SubTask
		if err := loadJSON(task.SubTasks, &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("task %s: stored sub-tasks\n%s\nbefore\n%s", id, deref(task.SubTasks), mustJSON(t, want))
		}
		highest = max(highest, highestSubTaskID(got))
	}

	var status struct {
		Tasks []struct {
			ID      string `json:"id"`
			Current *struct {
				Name     string `json:"name"`
				Progress int32  `json:"progress"`
			} `json:"current"`
		} `json:"tasks"`
	}
	readJSON(t, "testdata/v4-status.json", &status)
	rows, err := store.ListStatusTasks(ctx, StatusQuery{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows.Tasks) != len(status.Tasks) {
		t.Fatalf("status page: %d tasks, want %d", len(rows.Tasks), len(status.Tasks))
	}
	for i, want := range status.Tasks {
		var wantCurrent *CurrentSubTask
		if want.Current != nil {
			wantCurrent = &CurrentSubTask{Name: want.Current.Name, Progress: want.Current.Progress}
		}
		if got := rows.Tasks[i]; *got.ID != want.ID || !reflect.DeepEqual(got.Current, wantCurrent) {
			t.Errorf("status row %d: %s on %+v, want %s on %+v", i, *got.ID, got.Current, want.ID, wantCurrent)
		}
		detail, err := store.GetStatusTask(ctx, want.ID)
		if err != nil || !reflect.DeepEqual(detail.Current, wantCurrent) {
			t.Errorf("status of %s alone: on %+v (%v), want %+v", want.ID, detail.Current, err, wantCurrent)
		}
	}

	// A sub-task a report creates now gets an id above every one stored before.
	if id := newSubTaskID(t, store, "edge-none"); id <= highest {
		t.Errorf("a new sub-task's id %d, want above %d", id, highest)
	}
}

// sourceIDsTakenOut is listed with the source servers that name only one of ids, which migration
// 0007 gave to tasks that had none, taken out, as each such task was listed before. Each of ids
// must be listed so at most once.
func sourceIDsTakenOut(t *testing.T, listed []byte, ids []string) []byte {
	t.Helper()
	for _, id := range ids {
		member := []byte(`,"source_server":{"id":"` + id + `"}`)
		if n := bytes.Count(listed, []byte(id)); n > 1 || n != bytes.Count(listed, member) {
			t.Errorf("source id %s listed %d times, not (only) as the source server of its task:\n%s", id, n, listed)
		}
		listed = bytes.Replace(listed, member, nil, 1)
	}
	return listed
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
