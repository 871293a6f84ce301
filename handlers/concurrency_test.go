package handlers_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Concurrent updates and progress reports on one task are each applied whole and none is lost:
// readers never see the name of one update with the priority of another, and at the end every
// reporter's sub-task holds its last report.
func TestConcurrentWritesToOneTask(t *testing.T) {
	app := newTestApp(t)
	const updaters, reporters, rounds = 4, 4, 25
	// Sub-tasks of the full migration the task does not hold yet: a RUNNING task takes them.
	subTaskNames := []string{"CONFIGURE_LINUX_FILE", "CLONE_VM", "FORMAT_DISK_LINUX", "CONFIGURE_LINUX"}

	var writers, readers sync.WaitGroup
	done := make(chan struct{})
	errs := make(chan string, 100)
	for u := range updaters {
		writers.Go(func() {
			for r := range rounds {
				// The name says which priority goes with it.
				body := fmt.Sprintf(`{"name":"u%d-r%d-p%d","priority":%d}`, u, r, (u+r)%3, (u+r)%3)
				if rec := app.put("/v3/tasks/"+dbOrdersTaskID, body); rec.Code != http.StatusOK {
					errs <- fmt.Sprintf("update: %d %s", rec.Code, rec.Body)
				}
			}
		})
	}
	for i := range reporters {
		writers.Go(func() {
			for r := range rounds {
				body := fmt.Sprintf(`{"subtask_name":%q,"progress":%d,"replicatesize":%d,"totalsize":1000,"process_trace":"r%d"}`,
					subTaskNames[i], r, r, r)
				if rec := app.put("/v3/tasks/"+dbOrdersTaskID+"/progress", body); rec.Code != http.StatusOK {
					errs <- fmt.Sprintf("report: %d %s", rec.Code, rec.Body)
				}
			}
		})
	}
	for range 2 {
		readers.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				task := app.task(t, dbOrdersTaskID)
				name, prio := *task.Name, *task.Priority
				if i := strings.LastIndex(name, "-p"); i >= 0 && name[i+2:] != strconv.Itoa(int(prio)) {
					errs <- fmt.Sprintf("half an update: name %s with priority %d", name, prio)
				}
			}
		})
	}
	writers.Wait()
	close(done)
	readers.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}

	final := app.task(t, dbOrdersTaskID)
	for _, name := range subTaskNames {
		found := false
		for _, st := range final.SubTasks {
			if *st.Name == name {
				found = true
				if *st.Progress != rounds-1 || *st.ProcessTrace != fmt.Sprintf("r%d", rounds-1) {
					t.Errorf("%s: progress %d trace %q, want the last report", name, *st.Progress, *st.ProcessTrace)
				}
			}
		}
		if !found {
			t.Errorf("sub-task %s lost", name)
		}
	}
	if n := len(final.SubTasks); n != 7+len(subTaskNames) {
		t.Errorf("%d sub-tasks, want %d", n, 7+len(subTaskNames))
	}
}
