package db

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"smslab/sms"
)

// mustOpenStore opens a new store in a temporary directory, closed when the test ends.
func mustOpenStore(t testing.TB) *Store {
	t.Helper()
	s := mustOpen(t, filepath.Join(t.TempDir(), "smslab.db"))
	t.Cleanup(func() { s.Close() })
	return s
}

// mustOpen opens the store at path, which the test closes (and may open again).
func mustOpen(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// manyTasks returns n tasks cycling through every state, each with the seven sub-tasks of a
// Linux block migration, as big as the demo's running tasks.
func manyTasks(n int) []sms.Task {
	states := []string{
		"READY", "RUNNING", "SYNCING", "MIGRATE_SUCCESS", "SYNC_SUCCESS", "MIGRATE_FAIL", "SYNC_FAIL",
		"ABORTING", "ABORT", "SKIPPING", "DELETING", "RESETING", "SYNC_F_ROLLBACKING", "SYNC_F_ROLLBACK_SUCCESS",
	}
	names := []string{"CREATE_CLOUD_SERVER", "SSL_CONFIG", "ATTACH_AGENT_IMAGE", "FORMAT_DISK_LINUX_BLOCK",
		"MIGRATE_LINUX_BLOCK", "CONFIGURE_LINUX_BLOCK", "DETTACH_AGENT_IMAGE"}
	p := func(s string) *string { return &s }
	tasks := make([]sms.Task, n)
	for i := range tasks {
		created := int64(1_700_000_000_000 + i*1000)
		subs := make([]sms.TaskSubTask, len(names))
		for j := range subs {
			id, progress := int64(i*10+j), int32(min(100, 20*j))
			subs[j] = sms.TaskSubTask{ID: &id, Name: p(names[j]), Progress: &progress, StartDate: &created,
				ProcessTrace: p("Migrated 63%: 403.2 GB of 640 GB")}
		}
		tasks[i] = sms.Task{
			ID: p(fmt.Sprintf("task-%05d", i)), Name: p(fmt.Sprintf("sms_task_server-%05d", i)),
			State: p(states[i%len(states)]), CreateDate: &created, Type: p("MIGRATE_BLOCK"), OsType: p("LINUX"),
			SubTasks: subs, SubtaskInfo: p("MIGRATE_LINUX_BLOCK 63%"),
			SourceServer: &sms.TaskSourceServer{ID: p(fmt.Sprintf("server-%05d", i)), IP: p("10.0.0.1"),
				Name: p(fmt.Sprintf("server-%05d", i)), OsType: p("LINUX"), OsVersion: p("CENTOS_7_9_64BIT")},
			TargetServer: &sms.TaskTargetServer{ID: p("t"), VMID: p("vm"), Name: p("target"), OsType: p("LINUX")},
		}
	}
	return tasks
}

func TestListStatusTasksOrderAndFilters(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	if err := s.Import(ctx, manyTasks(28)); err != nil {
		t.Fatal(err)
	}
	page, err := s.ListStatusTasks(ctx, StatusQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, task := range page.Tasks {
		got = append(got, *task.State)
	}
	// Rank order, newest first within a state.
	want := []string{
		"SYNCING", "RUNNING", "SYNCING", "RUNNING", // one rank: running or syncing
		"SYNC_F_ROLLBACKING", "RESETING", "DELETING", "SKIPPING", "ABORTING",
		"SYNC_F_ROLLBACKING", "RESETING", "DELETING", "SKIPPING", "ABORTING",
		"SYNC_FAIL", "MIGRATE_FAIL", "SYNC_FAIL", "MIGRATE_FAIL",
		"READY", "READY",
		"SYNC_F_ROLLBACK_SUCCESS", "ABORT", "SYNC_F_ROLLBACK_SUCCESS", "ABORT",
		"SYNC_SUCCESS", "MIGRATE_SUCCESS", "SYNC_SUCCESS", "MIGRATE_SUCCESS",
	}
	if page.Count != 28 || !slices.Equal(got, want) {
		t.Fatalf("count %d, states\n%q\nwant\n%q", page.Count, got, want)
	}
	if *page.Tasks[0].ID != "task-00016" {
		t.Errorf("first task %s, want the newest syncing one, task-00016", *page.Tasks[0].ID)
	}

	for _, tc := range []struct {
		name      string
		q         StatusQuery
		wantCount int64
		wantIDs   []string
	}{
		{"states", StatusQuery{States: []string{"MIGRATE_FAIL", "SYNC_FAIL"}, Limit: 2, Offset: 1},
			4, []string{"task-00019", "task-00006"}},
		{"no state", StatusQuery{States: []string{}, Limit: 10}, 0, nil},
		{"name", StatusQuery{Name: "SERVER-0001", Limit: 3}, 10, []string{"task-00016", "task-00015", "task-00012"}},
		{"name and state", StatusQuery{Name: "server-0000", States: []string{"READY"}, Limit: 10}, 1, []string{"task-00000"}},
		{"past the end", StatusQuery{Limit: 10, Offset: 28}, 28, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page, err := s.ListStatusTasks(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, task := range page.Tasks {
				ids = append(ids, *task.ID)
			}
			if page.Count != tc.wantCount || !slices.Equal(ids, tc.wantIDs) {
				t.Errorf("got %d %q, want %d %q", page.Count, ids, tc.wantCount, tc.wantIDs)
			}
		})
	}
}

// The list index orders, counts and pages the status page's tasks. Its pages and counts must be
// those of the tasks read from SQL, put in ListTasks order by SQL and then by statusRank, for any
// group of states, any name search and any page: also for tasks created at the same time
// (ordered by id) and after reports moved tasks between states.
func TestStatusPagesAgreeWithSQL(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	tasks := manyTasks(150)
	for i := range tasks {
		if i%3 == 0 { // created at the same time as the one before it
			*tasks[i].CreateDate = 1_700_000_000_000 + int64(i/3*1000)
		}
	}
	if err := s.Import(ctx, tasks); err != nil {
		t.Fatal(err)
	}
	name, progress, trace := "DETTACH_AGENT_IMAGE", int32(100), "done"
	for i := 1; i < len(tasks); i += 14 { // the running ones succeed
		rep := &sms.ProgressReport{SubtaskName: &name, Progress: &progress, ProcessTrace: &trace}
		if err := s.ReportProgress(ctx, *tasks[i].ID, rep); err != nil {
			t.Fatal(err)
		}
	}
	seqs, err := s.readQueries.ListTaskSeqs(ctx, ListTaskSeqsParams{Limit: 1000})
	if err != nil || len(seqs) != 150 {
		t.Fatalf("%d tasks stored (%v)", len(seqs), err)
	}
	rows, err := s.readQueries.ListTasksBySeq(ctx, seqsJSON(seqValues(seqs)))
	if err != nil {
		t.Fatal(err)
	}
	var stored []Task
	for _, row := range rows {
		stored = append(stored, row.Task)
	}
	slices.SortStableFunc(stored, func(a, b Task) int { return statusRank(a.State) - statusRank(b.State) })

	for _, states := range [][]string{
		nil, {}, {"RUNNING"}, {"MIGRATE_SUCCESS", "SYNC_SUCCESS", "RUNNING"},
		{"ABORTING", "SKIPPING", "DELETING", "RESETING", "SYNC_F_ROLLBACKING", "READY"}, {"NO_SUCH_STATE", "ABORT"},
	} {
		for _, search := range []string{"", "SERVER-001", "9", "no such name"} {
			var want []string
			for _, task := range stored {
				if (states == nil || slices.Contains(states, task.State)) &&
					strings.Contains(strings.ToLower(task.Name), strings.ToLower(search)) {
					want = append(want, task.ID)
				}
			}
			for _, limit := range []int64{1, 7, 50} {
				for offset := int64(0); offset <= int64(len(want)); offset += max(1, limit-3) {
					page, err := s.ListStatusTasks(ctx, StatusQuery{States: states, Name: search, Limit: limit, Offset: offset})
					if err != nil {
						t.Fatal(err)
					}
					var got []string
					for _, task := range page.Tasks {
						got = append(got, *task.ID)
					}
					wantPage := want[offset:min(offset+limit, int64(len(want)))]
					if page.Count != int64(len(want)) || !slices.Equal(got, wantPage) {
						t.Fatalf("states %q, name %q, limit %d, offset %d: %d tasks %q, want %d %q",
							states, search, limit, offset, page.Count, got, len(want), wantPage)
					}
				}
			}
		}
	}
}

func TestCountTasksPerState(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	if err := s.Import(ctx, manyTasks(16)); err != nil {
		t.Fatal(err)
	}
	counts, err := s.CountTasksPerState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts["READY"] != 2 || counts["RUNNING"] != 2 || counts["ABORT"] != 1 || len(counts) != 14 {
		t.Errorf("counts %v", counts)
	}
}

func TestStatusTaskCarriesLastReport(t *testing.T) {
	ctx := context.Background()
	s := mustOpenStore(t)
	if err := s.Import(ctx, manyTasks(1)); err != nil {
		t.Fatal(err)
	}
	name, progress, size, total, trace, remain := "MIGRATE_LINUX_BLOCK", int32(70), int64(700), int64(1000), "", int64(30)
	rep := &sms.ProgressReport{SubtaskName: &name, Progress: &progress, Replicatesize: &size, Totalsize: &total,
		ProcessTrace: &trace, RemainTime: &remain}
	if err := s.ReportProgress(ctx, "task-00000", rep); err != nil {
		t.Fatal(err)
	}
	task, err := s.GetStatusTask(ctx, "task-00000")
	if err != nil {
		t.Fatal(err)
	}
	if *task.Replicatesize != 700 || *task.Totalsize != 1000 || *task.RemainSeconds != 30 ||
		task.LastReportDate == nil || *task.State != "RUNNING" || len(task.SubTasks) != 7 {
		t.Errorf("got %+v", task)
	}
	if _, err := s.GetStatusTask(ctx, "nope"); !errors.Is(err, ErrTaskNotFound) || err.Error() != "task not found: nope" {
		t.Errorf("unknown task: %v", err)
	}
}

// BenchmarkListStatusTasks10k measures one poll of the status page at 10,000 tasks: the first
// page, a page deep in the list, and a name search.
func BenchmarkListStatusTasks10k(b *testing.B) {
	ctx := context.Background()
	s := mustOpenStore(b)
	if err := s.Import(ctx, manyTasks(10_000)); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		q    StatusQuery
	}{
		{"first page", StatusQuery{Limit: 50}},
		{"page 150", StatusQuery{Limit: 50, Offset: 150 * 50}},
		{"failed", StatusQuery{Limit: 50, States: []string{"MIGRATE_FAIL", "SYNC_FAIL"}}},
		{"name search", StatusQuery{Limit: 50, Name: "server-09"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.ListStatusTasks(ctx, bc.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("counts", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.CountTasksPerState(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
