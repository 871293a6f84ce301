package db_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"smslab/db"
	"smslab/sms"
)

// statusTasks is how many tasks the large-task benchmarks' stores hold: a status page of them.
const statusTasks = 10

// storeOfLargeTasks returns a store of statusTasks running tasks of n sub-tasks each, named
// large-0 and so on; sub-task i is named STEP_i. It takes seconds at 65,535.
func storeOfLargeTasks(b *testing.B, n int) *db.Store {
	b.Helper()
	ctx := context.Background()
	store, err := db.Open(ctx, filepath.Join(b.TempDir(), "large.db"))
	if err != nil {
		b.Fatal(err)
	}
	for t := range statusTasks {
		subTasks := make([]sms.TaskSubTask, n)
		for i := range subTasks {
			subTasks[i] = sms.TaskSubTask{ID: ptr(int64(t*n + i + 1)), Name: ptr(fmt.Sprintf("STEP_%d", i)),
				Progress: ptr(int32(i % 100)), StartDate: ptr(int64(1_700_000_000_000)), ProcessTrace: ptr("copying")}
		}
		task := sms.Task{ID: ptr(fmt.Sprintf("large-%d", t)), Name: ptr("large"), State: ptr("RUNNING"),
			SubTasks: subTasks, SubtaskInfo: ptr("STEP_0 0%")}
		if err := store.Import(ctx, []sms.Task{task}); err != nil {
			b.Fatal(err)
		}
	}
	b.Cleanup(func() { store.Close() })
	return store
}

// BenchmarkReportOnLargeTask is a progress report on an existing sub-task of a task with one
// sub-task and of one with 65,535, the most a task may have, one report at a time: a report's
// cost must not grow with the task's sub-tasks (docs/storage.md, "Sub-tasks").
//
//	go test ./db -run '^$' -bench 'ReportOnLargeTask|StatusPageOfLargeTasks' -benchmem
func BenchmarkReportOnLargeTask(b *testing.B) {
	for _, n := range []int{1, db.MaxSubTasks} {
		store := storeOfLargeTasks(b, n)
		b.Run(fmt.Sprintf("sub-tasks=%d", n), func(b *testing.B) {
			ctx := context.Background()
			i := 0
			for b.Loop() {
				rep := &sms.ProgressReport{SubtaskName: ptr(fmt.Sprintf("STEP_%d", n/2)), Progress: ptr(int32(i % 100)),
					Replicatesize: ptr(int64(i)), Totalsize: ptr(int64(1 << 40)), ProcessTrace: ptr("copying")}
				if err := store.ReportProgress(ctx, fmt.Sprintf("large-%d", i%statusTasks), rep); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkStatusPageOfLargeTasks reads a status page of ten running tasks, and one of them
// expanded, with one sub-task each and with 65,535 each: B/op is what a page allocates, which
// must not grow with the tasks' sub-tasks.
func BenchmarkStatusPageOfLargeTasks(b *testing.B) {
	for _, n := range []int{1, db.MaxSubTasks} {
		store := storeOfLargeTasks(b, n)
		ctx := context.Background()
		b.Run(fmt.Sprintf("page/sub-tasks=%d", n), func(b *testing.B) {
			for b.Loop() {
				page, err := store.ListStatusTasks(ctx, db.StatusQuery{Limit: 200})
				if err != nil || len(page.Tasks) != statusTasks {
					b.Fatalf("%d tasks (%v)", len(page.Tasks), err)
				}
			}
		})
		b.Run(fmt.Sprintf("expanded/sub-tasks=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := store.GetStatusTask(ctx, "large-0"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
