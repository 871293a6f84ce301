package db

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"smslab/sms"
)

// The list index pages exactly as a sorted slice of the same tasks does, through inserts, moves
// between listings, re-dated tasks that split and empty its blocks, and removals (deleted tasks,
// some of which come back).
func TestListIndexPagesLikeASortedSlice(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := newListIndex()
	model := map[string]indexKey{} // the tasks and their keys; an id's number is its seq
	states := []string{"READY", "RUNNING"}
	for step := range 20000 {
		n := rng.IntN(3000)
		id := fmt.Sprintf("t%04d", n)
		k := indexKey{createDate: rng.Int64N(300), state: states[rng.IntN(2)]}
		if rng.IntN(2) == 0 {
			k.project = "ep"
		}
		if rng.IntN(8) == 0 {
			x.remove(id)
			delete(model, id)
			if _, ok := x.seqOf(id); ok {
				t.Fatalf("step %d: %s removed, still found", step, id)
			}
		} else {
			x.put(id, int64(n), k)
			model[id] = k
		}
		if step%97 != 0 {
			continue
		}
		for _, filter := range []struct{ state, project *string }{{nil, nil}, {ptr("RUNNING"), nil}, {nil, ptr("ep")}, {ptr("READY"), ptr("ep")}} {
			var want []string // ids, whose number is their seq
			for id, k := range model {
				if (filter.state == nil || *filter.state == k.state) && (filter.project == nil || *filter.project == k.project) {
					want = append(want, id)
				}
			}
			slices.SortFunc(want, func(a, b string) int {
				return cmp.Or(cmp.Compare(model[b].createDate, model[a].createDate), cmp.Compare(a, b))
			})
			offset, limit := rng.IntN(len(want)+5), rng.IntN(300)
			got, count := x.page(filter.state, filter.project, offset, limit)
			if count != len(want) {
				t.Fatalf("step %d, %v: count %d, want %d", step, filter, count, len(want))
			}
			var w []int64
			for _, id := range want[min(offset, len(want)):min(offset+limit, len(want))] {
				seq, _ := strconv.ParseInt(id[1:], 10, 64)
				w = append(w, seq)
			}
			if !slices.Equal(got, w) && len(got)+len(w) > 0 {
				t.Fatalf("step %d: page(%d, %d) = %v, want %v", step, offset, limit, got, w)
			}
		}
	}
}

// States and projects are numbered names, and a lab may give its tasks more than 65,536
// distinct enterprise projects over a run (names are kept until restart): a task's state must
// never be read as another's then.
func TestListIndexKeepsManyNamesApart(t *testing.T) {
	x := newListIndex()
	const projects = 70000
	for i := range projects {
		x.put(fmt.Sprintf("t%05d", i), int64(i+1), indexKey{createDate: int64(i), state: "READY", project: fmt.Sprintf("ep-%05d", i)})
	}
	x.put("t00006", 7, indexKey{createDate: 6, state: "ABORT", project: "ep-00006"})
	for state, want := range map[string]int{"READY": projects - 1, "ABORT": 1} {
		seqs, count := x.page(ptr(state), nil, 0, 3)
		if count != want {
			t.Errorf("state=%s: count %d, want %d", state, count, want)
		}
		if state == "ABORT" && !slices.Equal(seqs, []int64{7}) {
			t.Errorf("state=ABORT: page %v, want [7]", seqs)
		}
	}
	if seqs, count := x.page(nil, ptr("ep-69999"), 0, 3); count != 1 || !slices.Equal(seqs, []int64{projects}) {
		t.Errorf("enterprise_project_id=ep-69999: page %v of %d, want [%d] of 1", seqs, count, projects)
	}
}

// ListTasks through the list index answers exactly what filtering SQL's full listing answers,
// for every combination of broad filters and many pages, after updates and reports move tasks
// between listings.
func TestListIndexAgreesWithSQL(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "i.db")
	store := mustOpen(t, path)
	defer func() { store.Close() }()
	rng := rand.New(rand.NewPCG(3, 4))
	states := []string{"READY", "RUNNING", "MIGRATE_SUCCESS", "MIGRATE_FAIL"}
	projects := []*string{nil, ptr(""), ptr("ep-a"), ptr("ep-b")}
	var tasks []sms.Task
	for i := range 1500 {
		tasks = append(tasks, sms.Task{
			ID: ptr(fmt.Sprintf("task-%04d", i)), State: ptr(states[rng.IntN(len(states))]),
			CreateDate: ptr(rng.Int64N(200)), EnterpriseProjectID: projects[rng.IntN(len(projects))],
		})
	}
	if err := store.Import(ctx, tasks); err != nil {
		t.Fatal(err)
	}
	compare := func(when string) {
		t.Helper()
		// SQL lists every task (tasks_by_create_date); the filters are applied to that here.
		all, err := store.listTasksFromSQL(ctx, &sms.ListTasksQuery{Limit: 2000})
		if err != nil {
			t.Fatal(err)
		}
		var listed []jsontext.Value
		if err := json.Unmarshal([]byte("["+string(all.Tasks)+"]"), &listed); err != nil || len(listed) != 1500 {
			t.Fatalf("%s: SQL listed %d tasks (%v)", when, len(listed), err)
		}
		for _, state := range append([]*string{nil, ptr("SYNCING")}, ptr("READY"), ptr("RUNNING"), ptr("MIGRATE_FAIL")) {
			for _, project := range []*string{nil, ptr("ep-a"), ptr("ep-b"), ptr("ep-none")} {
				var matching [][]byte
				for _, raw := range listed {
					var task sms.Task
					if err := json.Unmarshal(raw, &task); err != nil {
						t.Fatal(err)
					}
					if (state == nil || *task.State == *state) && (project == nil || deref(task.EnterpriseProjectID) == *project) {
						matching = append(matching, raw)
					}
				}
				for _, page := range [][2]int32{{0, 100}, {0, 0}, {1, 7}, {333, 200}, {1400, 200}, {5000, 10}} {
					q := &sms.ListTasksQuery{State: state, EnterpriseProjectID: project, Offset: page[0], Limit: page[1]}
					got, err := store.listTasks(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					from := min(int(page[0]), len(matching))
					want := bytes.Join(matching[from:min(from+int(page[1]), len(matching))], []byte(","))
					if got.Count != int64(len(matching)) || !bytes.Equal(got.Tasks, want) {
						t.Fatalf("%s: state %v project %v page %v: index %d %.300s, want %d %.300s",
							when, deref(state), deref(project), page, got.Count, got.Tasks, len(matching), want)
					}
				}
			}
		}
	}
	compare("after import")

	for i := range 600 {
		id := fmt.Sprintf("task-%04d", rng.IntN(1500))
		var err error
		switch i % 3 {
		case 0:
			err = store.ReportProgress(ctx, id, &sms.ProgressReport{SubtaskName: ptr("SSL_CONFIG"),
				Progress: ptr(int32(5)), Replicatesize: ptr(int64(0)), Totalsize: ptr(int64(0)), ProcessTrace: ptr("")})
			if errors.Is(err, ErrWrongState) {
				err = nil // a finished or failed task takes no report, and changes nothing
			}
		case 1:
			err = store.UpdateTask(ctx, id, &sms.UpdateTaskRequest{
				State: ptr(states[rng.IntN(len(states))]), Fields: map[string]bool{"state": true}})
		case 2:
			err = store.UpdateTask(ctx, id, &sms.UpdateTaskRequest{
				CreateDate: ptr(rng.Int64N(200)), EnterpriseProjectID: projects[rng.IntN(len(projects))],
				Fields: map[string]bool{"create_date": true, "enterprise_project_id": true}})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	compare("after changes")

	// A store opened on an existing file builds its index from it.
	store.Close()
	store = mustOpen(t, path)
	if err := store.committer.write(ctx, inSavepoint, func(context.Context, *writeTx) error { return nil }); err != nil {
		t.Fatal(err) // the committer builds the index before taking this write
	}
	compare("after reopening")
}

// A list filtered by state or enterprise project right after the store opens, while the list
// index may still be building, answers from the whole index: it waits for it rather than
// reading SQL, which has no index for those filters.
func TestBroadFilterRightAfterOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	store := mustOpen(t, path)
	var tasks []sms.Task
	for i := range 20000 {
		state := "READY"
		if i%4 == 0 {
			state = "RUNNING"
		}
		tasks = append(tasks, sms.Task{ID: ptr(fmt.Sprintf("task-%05d", i)), State: ptr(state), CreateDate: ptr(int64(i)),
			EnterpriseProjectID: ptr(fmt.Sprintf("ep-%d", i%5))})
	}
	if err := store.Import(ctx, tasks); err != nil {
		t.Fatal(err)
	}
	store.Close()
	for q, count := range map[*sms.ListTasksQuery]int64{
		{State: ptr("RUNNING"), Limit: 3}:            5000,
		{EnterpriseProjectID: ptr("ep-2"), Limit: 3}: 4000,
	} {
		store := mustOpen(t, path)
		page, err := store.ListTasks(ctx, q)
		store.Close()
		if err != nil || page.Count != count || !bytes.HasPrefix(page.Tasks, []byte(`{"id":"task-19`)) {
			t.Errorf("state %v project %v: %d tasks, %.40s (%v)", deref(q.State), deref(q.EnterpriseProjectID), page.Count, page.Tasks, err)
		}
	}

	// So do the status page's counts and pages, which the list index serves too.
	store = mustOpen(t, path)
	defer store.Close()
	counts, err := store.CountTasksPerState(ctx)
	if err != nil || len(counts) != 2 || counts["READY"] != 15000 || counts["RUNNING"] != 5000 {
		t.Errorf("counts per state right after opening: %v (%v)", counts, err)
	}
	status, err := store.ListStatusTasks(ctx, StatusQuery{Limit: 1, Offset: 5000})
	if err != nil || status.Count != 20000 || len(status.Tasks) != 1 || *status.Tasks[0].ID != "task-19999" {
		t.Errorf("status page right after opening: %d tasks, %+v (%v)", status.Count, status.Tasks, err)
	}
}

// A store builds its indexes from the file loadBatch rows at a time, in list order: tasks and
// sources that share a date across a batch's end are each indexed once, in their place.
func TestIndexesAreLoadedInBatches(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "batches.db")
	store := mustOpen(t, path)
	defer func() { store.Close() }()
	n := 2*loadBatch + 500
	tasks, sources := make([]sms.Task, n), make([]sms.Source, n)
	for i := range n {
		date := ptr(int64(i / 300)) // 300 share each date, across every batch's end
		sources[i] = sms.Source{ID: ptr(fmt.Sprintf("s-%05d", i)), Name: ptr(fmt.Sprint("s", i)), IP: ptr("10.0.0.1"),
			OsType: ptr("LINUX"), AddDate: date}
		tasks[i] = sms.Task{ID: ptr(fmt.Sprintf("task-%05d", i)), State: ptr("READY"), CreateDate: date,
			SourceServer: &sms.TaskSourceServer{ID: sources[i].ID}}
	}
	if err := store.ImportSeed(ctx, &sms.SeedFile{Sources: sources, Tasks: tasks}); err != nil {
		t.Fatal(err)
	}
	store.Close()
	store = mustOpen(t, path)
	if err := store.committer.write(ctx, inSavepoint, func(context.Context, *writeTx) error { return nil }); err != nil {
		t.Fatal(err) // the committer builds the indexes before taking this write
	}
	// Newest date first, then by id: the dates' groups in reverse, each in id order.
	var want []string
	for group := (n - 1) / 300; group >= 0; group-- {
		for i := group * 300; i < min((group+1)*300, n); i++ {
			want = append(want, fmt.Sprintf("%05d", i))
		}
	}
	for _, index := range []struct {
		name   string
		x      *listIndex
		prefix string
	}{{"tasks", store.index, "task-"}, {"sources", store.sources, "s-"}} {
		slots, count := index.x.pageSlots(nil, nil, 0, n+1)
		if count != n || len(slots) != n {
			t.Fatalf("%s: the index holds %d (%d listed), want %d", index.name, count, len(slots), n)
		}
		for i, slot := range slots {
			if got := string(index.x.ids.id(slot)); got != index.prefix+want[i] {
				t.Fatalf("%s: at %d the index lists %s, want %s%s", index.name, i, got, index.prefix, want[i])
			}
		}
	}
}

// The list index's own cost at 100,000 tasks: built in list order, as the committer loads it,
// and a task moved to another state (a remove and an insert in two lists each), as a report
// that finishes a task does. go test ./db -run '^$' -bench ListIndex
func BenchmarkListIndexBuild100k(b *testing.B) {
	keys := benchIndexKeys(100_000)
	for b.Loop() {
		x := newListIndex()
		for i, k := range keys {
			x.put(fmt.Sprintf("task-%06d", i), int64(i), k)
		}
	}
}

func BenchmarkListIndexMove100k(b *testing.B) {
	keys := benchIndexKeys(100_000)
	x := newListIndex()
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = fmt.Sprintf("task-%06d", i)
		x.put(ids[i], int64(i), k)
	}
	states := []string{"READY", "RUNNING", "SYNC_F_ROLLBACKING", "MIGRATE_SUCCESS"}
	i := 0
	for b.Loop() {
		n := i * 7919 % len(keys)
		k := keys[n]
		k.state = states[i%len(states)]
		x.put(ids[n], int64(n), k)
		i++
	}
}

// benchIndexKeys returns n keys in ListTasks order: a thousand dates, newest first, two
// states, a third of them in a project.
func benchIndexKeys(n int) []indexKey {
	keys := make([]indexKey, n)
	for i := range keys {
		keys[i] = indexKey{createDate: int64(n - i/100), state: []string{"READY", "RUNNING"}[i%2]}
		if i%3 == 0 {
			keys[i].project = "ep-a"
		}
	}
	return keys
}
