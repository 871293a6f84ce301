package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"smslab/sms"
)

func ptr[T any](v T) *T { return &v }

// ReportProgress stores exactly what applyProgressInRow computes for a task that keeps its
// sub-tasks in its row, and what reportOnSubTaskRow does for one whose sub-tasks are rows: a
// column they change but UpdateTaskProgress or UpdateSubTaskProgress does not write would be
// lost here. Both report on an existing sub-task, then add one that ends the migration.
func TestReportProgressWritesWhatItApplies(t *testing.T) {
	for _, n := range []int{1, inlineSubTasks + 1} {
		t.Run(fmt.Sprintf("%d sub-tasks", n), func(t *testing.T) { testReportProgressWritesWhatItApplies(t, n) })
	}
}

func testReportProgressWritesWhatItApplies(t *testing.T, n int) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	store := mustOpen(t, path)
	defer store.Close()
	// A connection of the test's own, on which reportOnSubTaskRow writes and rolls back.
	conn, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	store.Now = func() time.Time { return now }
	subTasks := []sms.TaskSubTask{{ID: ptr(int64(7)), Name: ptr("MIGRATE_LINUX_FILE"), Progress: ptr(int32(10))}}
	for i := 1; i < n; i++ {
		subTasks = append(subTasks, sms.TaskSubTask{ID: ptr(int64(100 + i)), Name: ptr(fmt.Sprint("STEP_", i)), Progress: ptr(int32(0))})
	}
	if err := store.Import(ctx, []sms.Task{{ID: ptr("t1"), State: ptr("READY"), Name: ptr("t1"), SubTasks: subTasks}}); err != nil {
		t.Fatal(err)
	}
	rep := &sms.ProgressReport{
		SubtaskName: ptr("MIGRATE_LINUX_FILE"), Progress: ptr(int32(100)), Replicatesize: ptr(int64(5)),
		Totalsize: ptr(int64(5)), ProcessTrace: ptr("done"), MigrateSpeed: ptr(9.5), CompressRate: ptr(1.5),
		RemainTime: ptr(int64(0)), TotalCPUUsage: ptr(1.0), AgentCPUUsage: ptr(2.0), TotalMemUsage: ptr(3.0),
		AgentMemUsage: ptr(4.0), TotalDiskIO: ptr(5.0), AgentDiskIO: ptr(6.0), NeedMigrationTest: ptr(true),
		AgentTime: ptr("10:00"),
	}
	stored := func() (Task, []SubTask) {
		t.Helper()
		task, err := loadTask(ctx, store.readQueries, "t1")
		if err != nil {
			t.Fatal(err)
		}
		rows, err := loadSubTaskRows(ctx, store.readQueries, *task.Seq, MaxSubTasks)
		if err != nil {
			t.Fatal(err)
		}
		return task, rows
	}
	nextID := int64(7 + 1) // the sequence's, past the imported ids
	if n > 1 {
		nextID = int64(100 + n)
	}
	newID := func(int64) (int64, error) { return nextID, nil }
	want, wantRows := stored()
	if inRows(&want) != (n > inlineSubTasks) || len(wantRows) != n*btoi(n > inlineSubTasks) {
		t.Fatalf("%d sub-tasks kept in rows: %v, %d rows", n, inRows(&want), len(wantRows))
	}
	apply := func() {
		t.Helper()
		next, err := stateAfterReport(&want, rep)
		if err != nil {
			t.Fatal(err)
		}
		if !inRows(&want) {
			if _, err := applyProgressInRow(&want, next, rep, now.UnixMilli(), newID); err != nil {
				t.Fatal(err)
			}
			return
		}
		// What reportOnSubTaskRow does, in a transaction that is rolled back.
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		q := New(tx)
		if err := reportOnSubTaskRow(ctx, q, &want, next, rep, now.UnixMilli(), newID); err != nil {
			t.Fatal(err)
		}
		if wantRows, err = loadSubTaskRows(ctx, q, *want.Seq, MaxSubTasks); err != nil {
			t.Fatal(err)
		}
	}
	check := func() {
		t.Helper()
		got, gotRows := stored()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("stored\n%+v\napplied\n%+v", got, want)
		}
		if !reflect.DeepEqual(gotRows, wantRows) {
			t.Errorf("stored sub-task rows\n%+v\napplied\n%+v", gotRows, wantRows)
		}
	}

	apply()
	if err := store.ReportProgress(ctx, "t1", rep); err != nil {
		t.Fatal(err)
	}
	check()

	// A report that creates a sub-task and ends the migration also changes the number of
	// sub-tasks, the state, finish date and total time.
	now = now.Add(time.Hour)
	rep.SubtaskName = ptr("DETTACH_AGENT_IMAGE")
	apply()
	if want.State != "MIGRATE_SUCCESS" || want.FinishDate == nil || want.TotalTime == nil || *want.TotalTime != time.Hour.Milliseconds() ||
		*want.SubTaskCount != int64(n+1) {
		t.Fatalf("applied: state %s, finish %v, total_time %v, %d sub-tasks", want.State, want.FinishDate, want.TotalTime, *want.SubTaskCount)
	}
	if err := store.ReportProgress(ctx, "t1", rep); err != nil {
		t.Fatal(err)
	}
	check()
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// A report that adds a task's 33rd sub-task moves them all from its row into rows of their own,
// and ListTasks lists the same either way.
func TestReportMovesSubTasksIntoRows(t *testing.T) {
	ctx := context.Background()
	store := mustOpenStore(t)
	subTasks := make([]sms.TaskSubTask, inlineSubTasks)
	for i := range subTasks {
		subTasks[i] = sms.TaskSubTask{ID: ptr(int64(i + 1)), Name: ptr(fmt.Sprint("STEP_", i)), Progress: ptr(int32(100))}
	}
	if err := store.Import(ctx, []sms.Task{{ID: ptr("t1"), State: ptr("RUNNING"), Name: ptr("t1"), SubTasks: subTasks}}); err != nil {
		t.Fatal(err)
	}
	if err := store.ReportProgress(ctx, "t1", reportOn("SSL_CONFIG")); err != nil {
		t.Fatal(err)
	}
	task, err := loadTask(ctx, store.readQueries, "t1")
	if err != nil || !inRows(&task) || *task.SubTaskCount != inlineSubTasks+1 || *task.CurrentSubTask != inlineSubTasks {
		t.Fatalf("after the report: in rows %v, %v sub-tasks, current %v (%v)", inRows(&task), task.SubTaskCount, task.CurrentSubTask, err)
	}
	got, err := store.ListTasks(ctx, &sms.ListTasksQuery{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	// The same task, its sub-tasks in its row, lists the same.
	stored, err := store.GetTask(ctx, "t1")
	if err != nil {
		t.Fatal(err)
	}
	var all []sms.SubTask
	if err := loadJSON(stored.SubTasks, &all); err != nil || len(all) != inlineSubTasks+1 {
		t.Fatalf("GetTask: %d sub-tasks (%v)", len(all), err)
	}
	task.SubTasks, task.CurrentSubTask = ptr(string(appendSubTasks(nil, all, false))), nil
	v, err := taskView(task)
	if err != nil {
		t.Fatal(err)
	}
	if err := renderListing(&task, v); err != nil {
		t.Fatal(err)
	}
	want := task.ListedStatic + *task.ListedDynamic + *task.ListedTail
	if string(got.Tasks) != want {
		t.Errorf("listed from rows\n%s\nfrom the task's row\n%s", got.Tasks, want)
	}
}

// Sub-tasks that reports create are numbered above every imported id and above every id handed
// out before, across restarts: the writer keeps the sequence in memory and stores it with each
// transaction that took from it.
func TestSubTaskIDsIncreaseAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	store := mustOpen(t, path)
	imported := []sms.TaskSubTask{{ID: ptr(int64(40)), Name: ptr("ATTACH_AGENT_IMAGE"), Progress: ptr(int32(100))}}
	err := store.Import(ctx, []sms.Task{
		{ID: ptr("a"), State: ptr("RUNNING"), SubTasks: imported},
		{ID: ptr("b"), State: ptr("RUNNING")},
		{ID: ptr("c"), State: ptr("RUNNING")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if id := newSubTaskID(t, store, "b"); id != 41 {
		t.Errorf("first created sub-task id %d, want 41", id)
	}
	store.Close()
	store = mustOpen(t, path)
	defer store.Close()
	if id := newSubTaskID(t, store, "c"); id != 42 {
		t.Errorf("sub-task id after a restart %d, want 42", id)
	}
}

// Sub-task ids an update stores are never handed out again to sub-tasks that reports create, as
// with imported ones.
func TestSubTaskIDsSkipThoseAnUpdateStores(t *testing.T) {
	store := mustOpenStore(t)
	updateSubTaskOfA(t, store, `{"id":70,"name":"CREATE_CLOUD_SERVER","progress":1}`)
	if id := newSubTaskID(t, store, "b"); id != 71 {
		t.Errorf("sub-task created after an update stored id 70: id %d, want 71", id)
	}
}

// Once sub-task id 9223372036854775807 (the API's largest) is stored, no id is left above it: a
// report that would create a sub-task is refused, before and after a restart, rather than the
// sequence wrapping to negative ids or starting again at 1.
func TestSubTaskIDsUsedUp(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "max.db")
	store := mustOpen(t, path)
	updateSubTaskOfA(t, store, `{"id":9223372036854775807,"name":"CREATE_CLOUD_SERVER","progress":100}`)
	report := func(store *Store, id, subTask string) error { return store.ReportProgress(ctx, id, reportOn(subTask)) }
	for _, id := range []string{"a", "b"} {
		if err := report(store, id, "SSL_CONFIG"); !errors.Is(err, ErrNoSubTaskID) {
			t.Errorf("a new sub-task on %s: %v, want ErrNoSubTaskID", id, err)
		}
	}
	if err := report(store, "a", "CREATE_CLOUD_SERVER"); err != nil {
		t.Errorf("a report on the existing sub-task: %v", err)
	}
	store.Close()
	store = mustOpen(t, path)
	defer store.Close()
	if err := report(store, "b", "SSL_CONFIG"); !errors.Is(err, ErrNoSubTaskID) {
		t.Errorf("a new sub-task after a restart: %v, want ErrNoSubTaskID", err)
	}
	if task, err := store.GetTask(ctx, "b"); err != nil || task.SubTasks != nil {
		t.Errorf("task b's sub-tasks: %v (%v), want none", deref(task.SubTasks), err)
	}
}

// A task has at most 65535 sub-tasks (sub_tasks' array length): a report that would add one more
// is refused and changes nothing, while reports on its existing sub-tasks are taken.
func TestReportOnATaskWithTheMostSubTasks(t *testing.T) {
	ctx := context.Background()
	store := mustOpenStore(t)
	defer store.Close()
	subTasks := `{"name":"CREATE_CLOUD_SERVER","progress":1}` + strings.Repeat(`,{"progress":0}`, MaxSubTasks-1)
	updateSubTaskOfA(t, store, subTasks)
	before, err := store.GetTask(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if err := store.ReportProgress(ctx, "a", reportOn("SSL_CONFIG")); !errors.Is(err, ErrTooManySubTasks) {
		t.Errorf("a new sub-task on a task with %d: %v, want ErrTooManySubTasks", MaxSubTasks, err)
	}
	if after, err := store.GetTask(ctx, "a"); err != nil || deref(after.SubTasks) != deref(before.SubTasks) || after.State != before.State {
		t.Errorf("a refused report changed the task (%v)", err)
	}
	if err := store.ReportProgress(ctx, "a", reportOn("CREATE_CLOUD_SERVER")); err != nil {
		t.Errorf("a report on an existing sub-task: %v", err)
	}
	after, err := store.GetTask(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	var got []sms.SubTask
	if err := loadJSON(after.SubTasks, &got); err != nil || len(got) != MaxSubTasks {
		t.Errorf("sub-tasks after the reports: %d (%v), want %d", len(got), err, MaxSubTasks)
	}
}

// updateSubTaskOfA imports running tasks a and b, then has an update give a the one sub-task
// subTask (JSON).
func updateSubTaskOfA(t *testing.T, store *Store, subTask string) {
	t.Helper()
	ctx := context.Background()
	if err := store.Import(ctx, []sms.Task{{ID: ptr("a"), State: ptr("RUNNING")}, {ID: ptr("b"), State: ptr("RUNNING")}}); err != nil {
		t.Fatal(err)
	}
	req, err := sms.NewDecoder().DecodeUpdateTask([]byte(`{"sub_tasks":[` + subTask + `]}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := store.UpdateTask(ctx, "a", req); err != nil {
		t.Fatal(err)
	}
}

// newSubTaskID has a report create sub-task CLONE_VM on task id, which has no sub-task yet, and
// returns the id the sub-task got.
func newSubTaskID(t *testing.T, store *Store, id string) int64 {
	t.Helper()
	ctx := context.Background()
	if err := store.ReportProgress(ctx, id, reportOn("CLONE_VM")); err != nil {
		t.Fatal(err)
	}
	task, err := store.GetTask(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var subTasks []sms.SubTask
	if err := loadJSON(task.SubTasks, &subTasks); err != nil || len(subTasks) != 1 {
		t.Fatalf("task %s: sub-tasks %s (%v), want the one the report created", id, deref(task.SubTasks), err)
	}
	return *subTasks[0].ID
}

// reportOn is a report at 5% on the named sub-task.
func reportOn(subTask string) *sms.ProgressReport {
	return &sms.ProgressReport{SubtaskName: ptr(subTask), Progress: ptr(int32(5)), Replicatesize: ptr(int64(0)),
		Totalsize: ptr(int64(0)), ProcessTrace: ptr("")}
}

// ParseSubtaskInfo reads back what SubtaskInfo writes, names with spaces included, and takes
// any other text for a name alone.
func TestParseSubtaskInfo(t *testing.T) {
	for _, tt := range []struct {
		info     string
		name     string
		progress int32
		ok       bool
	}{
		{SubtaskInfo("MIGRATE_LINUX_FILE", 42), "MIGRATE_LINUX_FILE", 42, true},
		{SubtaskInfo("copy the data", 100), "copy the data", 100, true},
		{SubtaskInfo("", 0), "", 0, true},
		{"MIGRATE_LINUX_FILE", "MIGRATE_LINUX_FILE", 0, false},
		{"copying 101%", "copying 101%", 0, false},
		{"copying -1%", "copying -1%", 0, false},
		{"copying 5", "copying 5", 0, false},
		{"at 5 % now", "at 5 % now", 0, false},
	} {
		name, progress, ok := ParseSubtaskInfo(tt.info)
		if name != tt.name || progress != tt.progress || ok != tt.ok {
			t.Errorf("ParseSubtaskInfo(%q) = %q, %d, %v; want %q, %d, %v", tt.info, name, progress, ok, tt.name, tt.progress, tt.ok)
		}
	}
}

// A task imported without a start date counts total_time from its earliest sub-task's start,
// and a new run of that sub-task does not move it.
func TestTotalTimeSurvivesARerunOfTheFirstSubTask(t *testing.T) {
	ctx := context.Background()
	store := mustOpenStore(t)
	defer store.Close()
	task := sms.Task{ID: ptr("r"), State: ptr("RUNNING"), Type: ptr("MIGRATE_FILE"), OsType: ptr("LINUX"),
		SubTasks: []sms.TaskSubTask{
			{ID: ptr(int64(1)), Name: ptr("CREATE_CLOUD_SERVER"), Progress: ptr(int32(100)), StartDate: ptr(int64(1000)), EndDate: ptr(int64(2000))},
			{ID: ptr(int64(2)), Name: ptr("SSL_CONFIG"), Progress: ptr(int32(100)), StartDate: ptr(int64(5000)), EndDate: ptr(int64(6000))},
		}}
	if err := store.Import(ctx, []sms.Task{task}); err != nil {
		t.Fatal(err)
	}
	now := int64(1_000_000)
	store.Now = func() time.Time { return time.UnixMilli(now) }
	for _, step := range []struct {
		subTask  string
		progress int32
	}{{"CREATE_CLOUD_SERVER", 50}, {"CREATE_CLOUD_SERVER", 100}, {"DETTACH_AGENT_IMAGE", 100}} {
		rep := reportOn(step.subTask)
		rep.Progress = ptr(step.progress)
		if err := store.ReportProgress(ctx, "r", rep); err != nil {
			t.Fatal(err)
		}
	}
	got, err := store.GetTask(ctx, "r")
	if err != nil {
		t.Fatal(err)
	}
	if got.State != "MIGRATE_SUCCESS" || got.TotalTime == nil || *got.TotalTime != now-1000 {
		t.Fatalf("state %s, total_time %s; want MIGRATE_SUCCESS and %d, since the first sub-task first started", got.State, fmtInt(got.TotalTime), now-1000)
	}
	if got.StartDate == nil || *got.StartDate != 1000 {
		t.Errorf("start_date %s, want 1000", fmtInt(got.StartDate))
	}
}

// fmtInt shows an optional integer for a test message.
func fmtInt(v *int64) string {
	if v == nil {
		return "none"
	}
	return strconv.FormatInt(*v, 10)
}
