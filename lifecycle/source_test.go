package lifecycle_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"smslab/lifecycle"
)

// Every task state has its row in the source table, once, and a source without a task has one.
func TestSourceTableCoversEveryTaskState(t *testing.T) {
	var states []string
	for _, r := range lifecycle.SourceRules {
		if slices.Contains(states, r.TaskState) {
			t.Errorf("task state %q has two rows", r.TaskState)
		}
		states = append(states, r.TaskState)
		if !slices.Contains(lifecycle.SourceStates(), r.State) || !slices.Contains(lifecycle.MigrationCycles(), r.Cycle) {
			t.Errorf("row %v: a source state or cycle the API does not list", r)
		}
	}
	for _, s := range append(lifecycle.States(), "") {
		if !slices.Contains(states, s) {
			t.Errorf("task state %q has no row", s)
		}
	}
}

// Every row keeps UpdateCopyState's combination rule, but SKIPPING's, which the rule lists with
// no cycle: what the table shows, UpdateCopyState could set.
func TestSourceTableKeepsTheCombinationRule(t *testing.T) {
	for _, r := range lifecycle.SourceRules {
		copystate := r.State
		if copystate == lifecycle.SourceInitialize {
			copystate = "init"
		}
		state, err := lifecycle.CheckCopyState(copystate, r.Cycle)
		if r.TaskState == lifecycle.Skipping {
			if err == nil {
				t.Error("skipping goes with a cycle now: drop the exception")
			}
			continue
		}
		if err != nil || state != r.State {
			t.Errorf("row %v: %q, %v", r, state, err)
		}
	}
}

func TestCheckCopyState(t *testing.T) {
	for _, c := range []struct{ copystate, cycle, state, err string }{
		{"init", "replicating", "initialize", ""},
		{"waiting", "checking", "waiting", ""},
		{"premiging", "setting", "premiging", ""},
		{"finished", "cutovered", "finished", ""},
		{"initialize", "replicating", "", "does not go with migrationcycle replicating, which takes copystate init, replicate, deleting, stopping, error, stopped"},
		{"waiting", "tested", "", "cannot be set with migrationcycle tested, which no copystate goes with"},
	} {
		state, err := lifecycle.CheckCopyState(c.copystate, c.cycle)
		if state != c.state || (err == nil) != (c.err == "") || err != nil && err.Error() != c.err {
			t.Errorf("CheckCopyState(%s, %s) = %q, %v; want %q, %q", c.copystate, c.cycle, state, err, c.state, c.err)
		}
	}
}

// docs/api.md shows the source table as the code has it.
func TestAPIDocShowsTheSourceTable(t *testing.T) {
	doc, err := os.ReadFile("../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), lifecycle.SourceTable()) {
		t.Errorf("docs/api.md does not hold the source table; paste this into it:\n%s", lifecycle.SourceTable())
	}
}
