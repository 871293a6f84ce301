package handlers_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"testing"
	"time"

	"smslab/lifecycle"
	"smslab/sms"
)

// stateTask imports a Linux file-level task in the given state and returns its id.
func stateTask(t *testing.T, app *testApp, state string, syncing bool) string {
	t.Helper()
	id := fmt.Sprintf("state-%s-%v", state, syncing)
	task := sms.Task{ID: &id, Name: &id, State: &state, Type: ptr("MIGRATE_FILE"), OsType: ptr("LINUX"), Syncing: &syncing}
	if err := app.store.Import(context.Background(), []sms.Task{task}); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestProgressStateTable sends a report on a sub-task of the full migration and one on the sync
// sub-task to a task in every state, syncing or not, and checks each is taken or refused as the
// README's state table says; a refused report changes nothing.
func TestProgressStateTable(t *testing.T) {
	// The state after a report on MIGRATE_LINUX_FILE and after one on SYNC_LINUX_FILE (for a task
	// that syncs), both at 40%; "" means refused.
	tests := []struct{ state, migration, sync string }{
		{"READY", "RUNNING", ""},
		{"RUNNING", "RUNNING", ""},
		{"MIGRATE_SUCCESS", "", "SYNCING"},
		{"SYNCING", "", "SYNCING"},
		{"SYNC_SUCCESS", "", "SYNCING"},
		{"MIGRATE_FAIL", "", ""},
		{"SYNC_FAIL", "", ""},
		{"ABORTING", "", ""},
		{"ABORT", "", ""},
		{"SKIPPING", "", ""},
		{"DELETING", "", ""},
		{"RESETING", "", ""},
		{"SYNC_F_ROLLBACKING", "", ""},
		{"SYNC_F_ROLLBACK_SUCCESS", "", ""},
	}
	if len(tests) != len(lifecycle.States()) {
		t.Fatalf("%d rows for %d states", len(tests), len(lifecycle.States()))
	}
	app := newTestApp(t)
	for _, tt := range tests {
		for _, syncing := range []bool{false, true} {
			for _, sub := range []string{"MIGRATE_LINUX_FILE", "SYNC_LINUX_FILE"} {
				want := tt.migration
				if sub == "SYNC_LINUX_FILE" {
					want = tt.sync
					if !syncing {
						want = ""
					}
				}
				t.Run(fmt.Sprintf("%s/syncing=%v/%s", tt.state, syncing, sub), func(t *testing.T) {
					id := stateTask(t, app, tt.state, syncing)
					before := app.storedTask(t, id)
					rec := app.put("/v3/tasks/"+id+"/progress",
						fmt.Sprintf(`{"subtask_name":%q,"progress":40,"replicatesize":4,"totalsize":10,"process_trace":""}`, sub))
					if want != "" {
						if rec.Code != http.StatusOK {
							t.Fatalf("status %d: %s", rec.Code, rec.Body)
						}
						if got := app.storedTask(t, id).State; got != want {
							t.Errorf("state %s after the report, want %s", got, want)
						}
						return
					}
					wantError(t, rec, http.StatusBadRequest, "SMS.2009", "The task is "+tt.state+" and takes no progress report on "+sub+": ")
					if after := app.storedTask(t, id); !reflect.DeepEqual(after, before) {
						t.Error("a refused report changed the task")
					}
				})
			}
		}
	}
}

// A report that brings the last sub-task to 100 ends the migration: the task is MIGRATE_SUCCESS
// with its finish date and total time (ms since it started), and takes no more reports.
func TestProgressCompletesTheMigration(t *testing.T) {
	app := newTestApp(t)
	clock := testNow
	app.store.Now = func() time.Time { return clock }
	put := func(sub string, progress int) {
		t.Helper()
		rec := app.put("/v3/tasks/"+progressTaskID+"/progress",
			fmt.Sprintf(`{"subtask_name":%q,"progress":%d,"replicatesize":0,"totalsize":0,"process_trace":""}`, sub, progress))
		if rec.Code != http.StatusOK {
			t.Fatalf("%s %d%%: status %d: %s", sub, progress, rec.Code, rec.Body)
		}
	}
	put("CREATE_CLOUD_SERVER", 10)
	started := clock.UnixMilli()
	clock = clock.Add(90 * time.Minute)
	put("MIGRATE_LINUX_FILE", 100) // not the last: the task keeps running
	if got := app.storedTask(t, progressTaskID); got.State != "RUNNING" || got.FinishDate != nil || got.TotalTime != nil {
		t.Fatalf("after MIGRATE_LINUX_FILE 100: state %s, finish %v, total %v", got.State, show(got.FinishDate), show(got.TotalTime))
	}
	put("DETTACH_AGENT_IMAGE", 99)
	clock = clock.Add(time.Minute)
	put("DETTACH_AGENT_IMAGE", 100)

	got := app.storedTask(t, progressTaskID)
	finished := clock.UnixMilli()
	if got.State != "MIGRATE_SUCCESS" || *got.StartDate != started || *got.FinishDate != finished ||
		*got.TotalTime != finished-started {
		t.Errorf("state %s, start %v, finish %v, total_time %v; want MIGRATE_SUCCESS, %d, %d, %d",
			got.State, show(got.StartDate), show(got.FinishDate), show(got.TotalTime), started, finished, finished-started)
	}
	if listed := app.task(t, progressTaskID); *listed.State != "MIGRATE_SUCCESS" || *listed.TotalTime != 91*60*1000 {
		t.Errorf("ListTasks shows state %s, total_time %v", *listed.State, show(listed.TotalTime))
	}

	before := app.storedTask(t, progressTaskID)
	rec := app.put("/v3/tasks/"+progressTaskID+"/progress",
		`{"subtask_name":"DETTACH_AGENT_IMAGE","progress":100,"replicatesize":0,"totalsize":0,"process_trace":""}`)
	wantError(t, rec, http.StatusBadRequest, "SMS.2009",
		"The task is MIGRATE_SUCCESS and takes no progress report on DETTACH_AGENT_IMAGE: its migration has finished.")
	if after := app.storedTask(t, progressTaskID); !reflect.DeepEqual(after, before) {
		t.Error("a refused report changed the task")
	}
}

// A task imported running without a start date counts its total time from its first sub-task.
func TestProgressTotalTimeOfAnImportedTask(t *testing.T) {
	app := newTestApp(t)
	var first int64
	for _, st := range storedSubTasks(t, app, dbOrdersTaskID) {
		if st.StartDate != nil && (first == 0 || *st.StartDate < first) {
			first = *st.StartDate
		}
	}
	if app.storedTask(t, dbOrdersTaskID).StartDate != nil || first == 0 {
		t.Fatal("the demo task has a start date or no started sub-task; pick another")
	}
	rec := app.put("/v3/tasks/"+dbOrdersTaskID+"/progress",
		`{"subtask_name":"DETTACH_AGENT_IMAGE","progress":100,"replicatesize":1,"totalsize":1,"process_trace":""}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	got := app.storedTask(t, dbOrdersTaskID)
	if got.State != "MIGRATE_SUCCESS" || *got.TotalTime != testNow.UnixMilli()-first {
		t.Errorf("state %s, total_time %v; want MIGRATE_SUCCESS, %d", got.State, show(got.TotalTime), testNow.UnixMilli()-first)
	}
}

// A task whose start date UpdateTask put after the moment its migration completes gets a total
// time of 0, not a negative one: total_time is at least 0, and a ListTasks answer must load back
// as a seed.
func TestProgressTotalTimeIsNeverNegative(t *testing.T) {
	for _, start := range []int64{testNow.UnixMilli() + 1, testNow.Add(time.Hour).UnixMilli(), math.MaxInt64} {
		t.Run(strconv.FormatInt(start, 10), func(t *testing.T) {
			app := newTestApp(t)
			if rec := app.put("/v3/tasks/"+dbOrdersTaskID, fmt.Sprintf(`{"start_date":%d}`, start)); rec.Code != http.StatusOK {
				t.Fatalf("UpdateTask: status %d: %s", rec.Code, rec.Body)
			}
			rec := app.put("/v3/tasks/"+dbOrdersTaskID+"/progress",
				`{"subtask_name":"DETTACH_AGENT_IMAGE","progress":100,"replicatesize":1,"totalsize":1,"process_trace":""}`)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if got := app.storedTask(t, dbOrdersTaskID); got.State != "MIGRATE_SUCCESS" || got.TotalTime == nil || *got.TotalTime != 0 {
				t.Errorf("stored: state %s, total_time %v; want MIGRATE_SUCCESS, 0", got.State, show(got.TotalTime))
			}
			if listed := app.task(t, dbOrdersTaskID); listed.TotalTime == nil || *listed.TotalTime != 0 {
				t.Errorf("ListTasks shows total_time %v; want 0", show(listed.TotalTime))
			}
		})
	}
}

// A syncing task synchronizes after its migration: SYNCING while the sync sub-task runs,
// SYNC_SUCCESS when it reaches 100, SYNCING again on the next pass.
func TestProgressSynchronizes(t *testing.T) {
	app := newTestApp(t)
	const fileShare = "3f6e1d2c-8b4a-4c5d-9e7f-000000000006" // demo: SYNCING, SYNC_WINDOWS_BLOCK 55%
	steps := []struct {
		sub       string
		progress  int
		wantState string
	}{
		{"SYNC_WINDOWS_BLOCK", 80, "SYNCING"},
		{"SYNC_WINDOWS_BLOCK", 100, "SYNC_SUCCESS"},
		{"SYNC_WINDOWS_BLOCK", 5, "SYNCING"},
		{"MIGRATE_WINDOWS_BLOCK", 5, ""},
	}
	for _, s := range steps {
		rec := app.put("/v3/tasks/"+fileShare+"/progress",
			fmt.Sprintf(`{"subtask_name":%q,"progress":%d,"replicatesize":0,"totalsize":0,"process_trace":""}`, s.sub, s.progress))
		if s.wantState == "" {
			wantError(t, rec, http.StatusBadRequest, "SMS.2009", "The task is SYNCING and takes no progress report on MIGRATE_WINDOWS_BLOCK")
			continue
		}
		if rec.Code != http.StatusOK {
			t.Fatalf("%s %d%%: status %d: %s", s.sub, s.progress, rec.Code, rec.Body)
		}
		if got := app.storedTask(t, fileShare).State; got != s.wantState {
			t.Errorf("%s %d%%: state %s, want %s", s.sub, s.progress, got, s.wantState)
		}
	}
}
