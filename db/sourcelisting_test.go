package db

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"smslab/sms"
)

// A listed source's current task is put together from its stored listing and the members the
// list index keeps in memory: it stays what ShowServer shows, byte for byte, after progress
// reports (on the current task and on an older one of the same source), an update, a newer
// task, a task moving to another source, a restart and a deletion.
func TestListedCurrentTaskFollowsItsTask(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "listed.db")
	store := mustOpen(t, path)
	defer func() { store.Close() }()
	tasks := []sms.Task{
		{ID: ptr("old"), Name: ptr("old try"), State: ptr("MIGRATE_FAIL"), CreateDate: ptr(int64(1000)),
			SourceServer: &sms.TaskSourceServer{ID: ptr("s1"), Name: ptr("web-01"), IP: ptr("10.0.0.1")}},
		{ID: ptr("cur"), Name: ptr("web"), Type: ptr("MIGRATE_BLOCK"), State: ptr("READY"), CreateDate: ptr(int64(2000)),
			SpeedLimit: ptr(int32(100)), StartTargetServer: ptr(true),
			TargetServer: &sms.TaskTargetServer{VMID: ptr("vm-1"), Name: ptr("dst \"1\"")},
			CloneServer:  &sms.CloneServerBrief{VMID: ptr("c1")},
			SourceServer: &sms.TaskSourceServer{ID: ptr("s1")}},
		{ID: ptr("other"), Name: ptr("db"), State: ptr("READY"), CreateDate: ptr(int64(3000)),
			SourceServer: &sms.TaskSourceServer{ID: ptr("s2"), Name: ptr("db-01"), IP: ptr("10.0.0.2")}},
	}
	if err := store.Import(ctx, tasks); err != nil {
		t.Fatal(err)
	}
	check := func(step string, wantTasks map[string]string) {
		t.Helper()
		page, err := store.ListServers(ctx, &sms.ListServersQuery{Limit: 100, Offset: 0})
		if err != nil {
			t.Fatal(step, err)
		}
		var items []json.RawMessage
		if err := json.Unmarshal(append(append([]byte("["), page.Sources...), ']'), &items); err != nil {
			t.Fatalf("%s: %v: %s", step, err, page.Sources)
		}
		if len(items) != len(wantTasks) || page.Count != int64(len(wantTasks)) {
			t.Fatalf("%s: %d sources listed, count %d; want %d", step, len(items), page.Count, len(wantTasks))
		}
		for _, raw := range items {
			var item struct {
				ID            string          `json:"id"`
				CurrentTask   json.RawMessage `json:"current_task"`
				Replicatesize *int64          `json:"replicatesize"`
				Totalsize     *int64          `json:"totalsize"`
			}
			if err := json.Unmarshal(raw, &item); err != nil {
				t.Fatal(step, err)
			}
			show, err := store.GetSource(ctx, item.ID)
			if err != nil {
				t.Fatal(step, err)
			}
			var shown []byte
			if show.CurrentTask != nil {
				if shown, err = marshalJSON(show.CurrentTask); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(item.CurrentTask, shown) || !equalPtr(item.Replicatesize, show.Replicatesize) || !equalPtr(item.Totalsize, show.Totalsize) {
				t.Errorf("%s: source %s lists\n%s %v %v\nShowServer shows\n%s %v %v", step, item.ID, item.CurrentTask,
					item.Replicatesize, item.Totalsize, shown, show.Replicatesize, show.Totalsize)
			}
			if got := valueOf(show.CurrentTask).ID; valueOf(got) != wantTasks[item.ID] {
				t.Errorf("%s: source %s's current task is %v, want %q", step, item.ID, got, wantTasks[item.ID])
			}
		}
	}
	check("imported", map[string]string{"s1": "cur", "s2": "other"})

	report := func(task, subTask string, progress int32, speed float64) {
		t.Helper()
		rep := &sms.ProgressReport{SubtaskName: ptr(subTask), Progress: ptr(progress), Replicatesize: ptr(int64(progress) * 10),
			Totalsize: ptr(int64(1000)), ProcessTrace: ptr(""), MigrateSpeed: ptr(speed), CompressRate: ptr(0.5),
			RemainTime: ptr(int64(100 - progress))}
		if err := store.ReportProgress(ctx, task, rep); err != nil {
			t.Fatal(err)
		}
	}
	report("cur", "CREATE_CLOUD_SERVER", 10, 33.333333333333336) // READY to RUNNING
	check("a report that starts the task", map[string]string{"s1": "cur", "s2": "other"})
	report("cur", "CREATE_CLOUD_SERVER", 60, 12.5)
	check("a report within the state", map[string]string{"s1": "cur", "s2": "other"})
	if err := store.UpdateTask(ctx, "old", &sms.UpdateTaskRequest{Name: ptr("older"), Fields: map[string]bool{"name": true}}); err != nil {
		t.Fatal(err)
	}
	check("an update of an older task of the source", map[string]string{"s1": "cur", "s2": "other"})

	store.Close()
	store = mustOpen(t, path)
	check("restarted", map[string]string{"s1": "cur", "s2": "other"})
	report("cur", "SSL_CONFIG", 5, 7)
	check("a report after the restart", map[string]string{"s1": "cur", "s2": "other"})

	if err := store.UpdateTask(ctx, "cur", &sms.UpdateTaskRequest{Name: ptr("web, renamed"), MigrateSpeed: ptr(2.25), Fields: map[string]bool{"name": true, "migrate_speed": true}}); err != nil {
		t.Fatal(err)
	}
	check("renamed", map[string]string{"s1": "cur", "s2": "other"})
	newer := sms.Task{ID: ptr("newer"), Name: ptr("web again"), State: ptr("READY"), CreateDate: ptr(int64(5000)),
		SourceServer: &sms.TaskSourceServer{ID: ptr("s1")}}
	if err := store.Import(ctx, []sms.Task{newer}); err != nil {
		t.Fatal(err)
	}
	check("a newer task", map[string]string{"s1": "newer", "s2": "other"})
	report("cur", "SSL_CONFIG", 90, 8) // no longer the current task of s1
	check("a report on the former current task", map[string]string{"s1": "newer", "s2": "other"})
	if err := store.UpdateTask(ctx, "newer", &sms.UpdateTaskRequest{SourceServer: &sms.SourceServer{ID: ptr("s2")}, Fields: map[string]bool{"source_server": true}}); err != nil {
		t.Fatal(err)
	}
	check("the newer task moved to s2", map[string]string{"s1": "cur", "s2": "newer"})

	if err := store.DeleteSources(ctx, []string{"s2"}); err != nil {
		t.Fatal(err)
	}
	check("s2 deleted", map[string]string{"s1": "cur"})
	store.Close()
	store = mustOpen(t, path)
	check("restarted again", map[string]string{"s1": "cur"})
	report("cur", "SSL_CONFIG", 100, 9)
	check("a last report", map[string]string{"s1": "cur"})
}

func equalPtr[T comparable](a, b *T) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}
