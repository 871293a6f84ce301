// Package agent simulates SMS migration agents: one per task, each walks its task's sub-tasks in
// simulated time and reports to an SMS server through the public API only, as the real agent on
// a source server does. The model of a migration (Sim) is pure and deterministic; Run drives
// models against a server over HTTP.
package agent

import (
	"errors"
	"fmt"

	"smslab/lifecycle"
	"smslab/sms"
)

// Task is what an agent knows of its task: what ListTasks shows.
type Task struct {
	ID      string
	Name    string
	Type    string // MIGRATE_FILE or MIGRATE_BLOCK
	OSType  string // LINUX or WINDOWS
	State   string
	Syncing bool
	// SpeedLimit is the task's rate limit in Mbit/s; 0 means none.
	SpeedLimit int32
	// Progress is the progress of each sub-task the task holds.
	Progress map[string]int32
}

// TaskFrom reads a task as ListTasks shows it. A task without os_type takes its source server's.
func TaskFrom(v sms.Task) Task {
	t := Task{ID: deref(v.ID), Name: deref(v.Name), Type: deref(v.Type), OSType: deref(v.OsType),
		State: deref(v.State), Progress: map[string]int32{}}
	if t.OSType == "" && v.SourceServer != nil {
		t.OSType = deref(v.SourceServer.OsType)
	}
	if v.Syncing != nil {
		t.Syncing = *v.Syncing
	}
	if v.SpeedLimit != nil {
		t.SpeedLimit = *v.SpeedLimit
	}
	for _, st := range v.SubTasks {
		if st.Name != nil {
			t.Progress[*st.Name] = derefOr(st.Progress, 0)
		}
	}
	return t
}

// plan is what an agent runs for a task: the sub-tasks left, in order, and the progress the
// first of them resumes from.
type plan struct {
	steps  []string
	resume int32
	// migrated says the task's full migration copied its data before this run.
	migrated bool
}

// planFor returns the work left for a task in its state: the rest of its full migration (then a
// synchronization, if it syncs), or a synchronization. A state that takes no report gives an
// error saying why, in the words of the state table.
func planFor(t Task) (plan, error) {
	seq, err := lifecycle.SequenceFor(t.Type, t.OSType, t.Syncing)
	if err != nil {
		return plan{}, err
	}
	switch t.State {
	case lifecycle.Ready, lifecycle.Running:
		for i, name := range seq.Migration {
			if p := t.Progress[name]; p < 100 {
				steps := append([]string(nil), seq.Migration[i:]...)
				if seq.Sync != "" {
					steps = append(steps, seq.Sync)
				}
				return plan{steps: steps, resume: p, migrated: i > migrateIndex(seq)}, nil
			}
		}
		// Every sub-task is done but the task was not told: report the last one again.
		steps := []string{lifecycle.LastMigrationSubTask}
		if seq.Sync != "" {
			steps = append(steps, seq.Sync)
		}
		return plan{steps: steps, resume: 100, migrated: true}, nil
	case lifecycle.Syncing, lifecycle.MigrateSuccess, lifecycle.SyncSuccess:
		if seq.Sync == "" {
			break
		}
		resume := int32(0)
		if t.State == lifecycle.Syncing && t.Progress[seq.Sync] < 100 {
			resume = t.Progress[seq.Sync] // resume the pass under way
		}
		return plan{steps: []string{seq.Sync}, resume: resume, migrated: true}, nil
	}
	first := seq.Migration[0]
	if seq.Sync != "" { // Ready and Running returned above: the next run would be a sync pass
		first = seq.Sync
	}
	_, err = lifecycle.Report(t.State, t.Syncing, first, 0)
	var refusal *lifecycle.Refusal
	if errors.As(err, &refusal) {
		return plan{}, fmt.Errorf("the task is %s: %s", t.State, refusal.Why)
	}
	return plan{}, fmt.Errorf("the task is %s: nothing to run", t.State)
}

// migrateIndex is the position of the data copy in a full migration.
func migrateIndex(seq lifecycle.Sequence) int {
	for i, name := range seq.Migration {
		if isTransfer(name) {
			return i
		}
	}
	return len(seq.Migration)
}

// isTransfer reports whether a sub-task copies data (MIGRATE_*, SYNC_*) rather than preparing
// or finishing the target server.
func isTransfer(subTask string) bool {
	return lifecycle.CopiesData(subTask)
}

func deref(p *string) string { return derefOr(p, "") }

func derefOr[T any](p *T, or T) T {
	if p == nil {
		return or
	}
	return *p
}
