package lifecycle_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"smslab/lifecycle"
)

// A task may be deleted exactly when it is not in progress, the rule DeleteServers keeps too.
func TestDeleteFollowsInProgress(t *testing.T) {
	for _, state := range lifecycle.States() {
		_, err := lifecycle.Act(state, false, lifecycle.ActDelete)
		if inProgress := slices.Contains(lifecycle.InProgress, state); (err != nil) != inProgress {
			t.Errorf("%s: delete refused = %v, in progress = %v", state, err != nil, inProgress)
		}
	}
}

// Every refusal names the state and the action, and says what the state takes instead.
func TestActionRefusalsSayWhatIsAllowed(t *testing.T) {
	for _, state := range lifecycle.States() {
		for _, action := range append(lifecycle.Actions, "no_such_action") {
			_, err := lifecycle.Act(state, true, action)
			if err == nil {
				continue
			}
			var refusal *lifecycle.ActionRefusal
			if !errors.As(err, &refusal) {
				t.Fatalf("%s %s: %v is not an ActionRefusal", state, action, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, state) || !strings.Contains(msg, action) {
				t.Errorf("%s %s: %q does not name the state and the action", state, action, msg)
			}
			for _, taken := range lifecycle.TakenIn(state) {
				if !strings.Contains(msg, taken) {
					t.Errorf("%s %s: %q does not list %s", state, action, msg, taken)
				}
			}
		}
	}
	// start on a migrated task that does not sync: refused, saying why.
	if _, err := lifecycle.Act(lifecycle.MigrateSuccess, false, lifecycle.ActStart); err == nil || !strings.Contains(err.Error(), "syncing is off") {
		t.Errorf("start on MIGRATE_SUCCESS without syncing: %v", err)
	}
	if mv, err := lifecycle.Act(lifecycle.MigrateSuccess, true, lifecycle.ActStart); err != nil || mv.Queue != lifecycle.CmdSync {
		t.Errorf("start on MIGRATE_SUCCESS with syncing: %+v, %v", mv, err)
	}
}

// The table's examples: start queues START and the result runs the task; stop is ABORTING until
// the agent confirms; a failed command fails the task.
func TestCommandResults(t *testing.T) {
	tests := []struct {
		state, cmd string
		success    bool
		want       string
		changed    bool
	}{
		{"READY", "START", true, "RUNNING", true},
		{"READY", "START", false, "MIGRATE_FAIL", true},
		{"ABORT", "START", true, "RUNNING", true},
		{"ABORTING", "STOP", true, "ABORT", true},
		{"MIGRATE_SUCCESS", "SYNC", true, "SYNCING", true},
		{"SYNC_SUCCESS", "SYNC", false, "SYNC_FAIL", true},
		{"SKIPPING", "SKIP", true, "RUNNING", true},
		{"RUNNING", "START", true, "RUNNING", false}, // the agent reported progress first
		{"READY", "DELETE", true, "READY", false},
		{"READY", "UPLOAD_LOG", false, "READY", false},
	}
	for _, tt := range tests {
		got, changed := lifecycle.Result(tt.state, tt.cmd, tt.success)
		if got != tt.want || changed != tt.changed {
			t.Errorf("%s %s success=%v: %s %v, want %s %v", tt.state, tt.cmd, tt.success, got, changed, tt.want, tt.changed)
		}
	}
}

func TestIdleAnswers(t *testing.T) {
	for state, want := range map[string]string{"": "", "READY": "TASK_NOT_STARTED", "RUNNING": "",
		"ABORT": "TASK_HAS_STOPPED", "MIGRATE_SUCCESS": "TASK_HAS_FINISHED", "MIGRATE_FAIL": "TASK_HAS_FINISHED"} {
		if got := lifecycle.IdleAnswer(state); got != want {
			t.Errorf("IdleAnswer(%q) = %q, want %q", state, got, want)
		}
	}
}
