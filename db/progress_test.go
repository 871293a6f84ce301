package db

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"smslab/sms"
)

func ptr[T any](v T) *T { return &v }

// ReportProgress stores exactly what applyProgress computes, on the task and on its sub-task: a
// column applyProgress changes but UpdateTaskProgress or UpdateSubTaskProgress does not write
// would be lost here.
func TestReportProgressWritesWhatItApplies(t *testing.T) {
	ctx := context.Background()
	store := mustOpenStore(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	store.Now = func() time.Time { return now }
	subTasks := []sms.TaskSubTask{{ID: ptr(int64(7)), Name: ptr("MIGRATE_LINUX_FILE"), Progress: ptr(int32(10))}}
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
		task, err := store.GetTask(ctx, "t1")
		if err != nil {
			t.Fatal(err)
		}
		rows, err := loadSubTasks(ctx, store.readQueries, *task.Seq, MaxSubTasks)
		if err != nil {
			t.Fatal(err)
		}
		return task.Task, rows
	}
	check := func(want Task, wantSubTasks []SubTask) {
		t.Helper()
		got, gotSubTasks := stored()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("stored\n%+v\napplied\n%+v", got, want)
		}
		if !reflect.DeepEqual(gotSubTasks, wantSubTasks) {
			t.Errorf("stored sub-tasks\n%+v\napplied\n%+v", gotSubTasks, wantSubTasks)
		}
	}
	apply := func(task *Task, st *SubTask) {
		t.Helper()
		next, err := stateAfterReport(task, rep)
		if err != nil {
			t.Fatal(err)
		}
		started := func() (*int64, error) { return startOf(ctx, store.readQueries, task, st) }
		if err := applyProgress(task, st, next, rep, now.UnixMilli(), started); err != nil {
			t.Fatal(err)
		}
	}

	want, wantSubTasks := stored()
	apply(&want, &wantSubTasks[0])
	if err := store.ReportProgress(ctx, "t1", rep); err != nil {
		t.Fatal(err)
	}
	check(want, wantSubTasks)

	// A report that creates a sub-task and ends the migration also changes the number of
	// sub-tasks, the state, finish date and total time.
	now = now.Add(time.Hour)
	rep.SubtaskName = ptr("DETTACH_AGENT_IMAGE")
	want.SubTaskCount = ptr(int64(2))
	wantSubTasks = append(wantSubTasks, SubTask{TaskSeq: *want.Seq, Position: 1, ID: ptr(int64(8)), Name: rep.SubtaskName})
	apply(&want, &wantSubTasks[1])
	if want.State != "MIGRATE_SUCCESS" || want.FinishDate == nil || want.TotalTime == nil || *want.TotalTime != time.Hour.Milliseconds() {
		t.Fatalf("applied: state %s, finish %v, total_time %v", want.State, want.FinishDate, want.TotalTime)
	}
	if err := store.ReportProgress(ctx, "t1", rep); err != nil {
		t.Fatal(err)
	}
	check(want, wantSubTasks)
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
