package db

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"

	"smslab/sms"
)

// No sub-task row outlives the sub-tasks it held: an update or an import that gives a task other
// sub-tasks takes its rows away (and stores rows again only past inlineSubTasks), and
// DeleteSources deletes its tasks' rows with them. A task stored afterwards at the freed seq
// (SQLite hands the largest rowid out again once it is free) finds none.
func TestNoSubTaskRowOutlivesItsTask(t *testing.T) {
	ctx := context.Background()
	store := mustOpenStore(t)
	rowsPerTask := func() map[string]int64 {
		t.Helper()
		rows, err := store.reader.QueryContext(ctx, `SELECT tasks.id, count(*) FROM sub_tasks
			LEFT JOIN tasks ON tasks.seq = sub_tasks.task_seq GROUP BY sub_tasks.task_seq`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		counts := map[string]int64{}
		for rows.Next() {
			var id *string
			var n int64
			if err := rows.Scan(&id, &n); err != nil {
				t.Fatal(err)
			}
			counts[deref(id)] = n // "" for rows of no task
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return counts
	}
	expect := func(step string, want map[string]int64) {
		t.Helper()
		if got := rowsPerTask(); !maps.Equal(got, want) {
			t.Errorf("%s: sub-task rows per task %v, want %v", step, got, want)
		}
	}
	named := func(prefix string, n int) []sms.TaskSubTask {
		subTasks := make([]sms.TaskSubTask, n)
		for i := range subTasks {
			subTasks[i] = sms.TaskSubTask{Name: ptr(fmt.Sprintf("%s_%02d", prefix, i)), Progress: ptr(int32(0))}
		}
		return subTasks
	}
	task := func(id, source string, subTasks []sms.TaskSubTask) sms.Task {
		return sms.Task{ID: ptr(id), State: ptr("READY"), SourceServer: &sms.TaskSourceServer{ID: ptr(source)}, SubTasks: subTasks}
	}
	update := func(id string, subTasks []sms.TaskSubTask) {
		t.Helper()
		body, err := marshalJSON(map[string]any{"sub_tasks": subTasks})
		if err != nil {
			t.Fatal(err)
		}
		req, err := sms.NewDecoder().DecodeUpdateTask(body)
		if err == nil {
			err = store.UpdateTask(ctx, id, req)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	stored := func(id string) string {
		t.Helper()
		task, err := store.GetTask(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return deref(task.SubTasks)
	}

	if err := store.Import(ctx, []sms.Task{task("t1", "s1", named("OLD", 40)), task("t2", "s2", nil)}); err != nil {
		t.Fatal(err)
	}
	expect("imported", map[string]int64{"t1": 40})
	update("t1", named("NEW", 35))
	expect("updated with 35", map[string]int64{"t1": 35})
	if got := stored("t1"); strings.Contains(got, "OLD") || strings.Count(got, `"NEW_`) != 35 {
		t.Errorf("sub-tasks after the update: %s", got)
	}
	update("t1", named("FEW", 3))
	expect("updated with 3", map[string]int64{})
	if err := store.Import(ctx, []sms.Task{task("t1", "s1", named("AGAIN", 50))}); err != nil {
		t.Fatal(err)
	}
	expect("imported again with 50", map[string]int64{"t1": 50})
	if err := store.Import(ctx, []sms.Task{task("t1", "s1", named("AGAIN", 2))}); err != nil {
		t.Fatal(err)
	}
	expect("imported again with 2", map[string]int64{})
	if err := store.Import(ctx, []sms.Task{task("t1", "s1", named("LAST", 33)), task("t3", "s3", named("T3", 40))}); err != nil {
		t.Fatal(err)
	}
	expect("t1 and t3 in rows", map[string]int64{"t1": 33, "t3": 40})

	// t3 holds the largest seq, which t4 gets once t3 is deleted.
	seqOf := func(id string) int64 {
		t.Helper()
		task, err := loadTask(ctx, store.readQueries, id)
		if err != nil {
			t.Fatal(err)
		}
		return *task.Seq
	}
	seq3 := seqOf("t3")
	if err := store.DeleteSources(ctx, []string{"s3"}); err != nil {
		t.Fatal(err)
	}
	expect("s3 deleted", map[string]int64{"t1": 33})
	if err := store.Import(ctx, []sms.Task{task("t4", "s4", nil)}); err != nil {
		t.Fatal(err)
	}
	if seq := seqOf("t4"); seq != seq3 {
		t.Errorf("t4 stored at seq %d, want t3's %d", seq, seq3)
	}
	if got := stored("t4"); got != "" {
		t.Errorf("t4's sub-tasks: %s, want none", got)
	}
	expect("t4 imported", map[string]int64{"t1": 33})
	if err := store.DeleteSources(ctx, []string{"s1"}); err != nil {
		t.Fatal(err)
	}
	expect("s1 deleted", map[string]int64{})
}
