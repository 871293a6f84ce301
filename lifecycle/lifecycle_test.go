package lifecycle_test

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"smslab/lifecycle"
	"smslab/sms"
)

func TestEveryStateHasOneRule(t *testing.T) {
	var inTable []string
	for _, r := range lifecycle.Rules {
		if slices.Contains(inTable, r.State) {
			t.Errorf("state %s has two rows", r.State)
		}
		inTable = append(inTable, r.State)
	}
	for _, state := range lifecycle.States() {
		if !slices.Contains(inTable, state) {
			t.Errorf("state %s has no row", state)
		}
	}
	if len(inTable) != len(lifecycle.States()) {
		t.Errorf("the table has %d rows for %d states", len(inTable), len(lifecycle.States()))
	}
}

func TestSequences(t *testing.T) {
	dec := sms.NewDecoder()
	tests := []struct {
		taskType, osType string
		syncing          bool
		want             lifecycle.Sequence
	}{
		{"MIGRATE_FILE", "LINUX", false, lifecycle.Sequence{Migration: []string{"CREATE_CLOUD_SERVER", "SSL_CONFIG",
			"ATTACH_AGENT_IMAGE", "FORMAT_DISK_LINUX_FILE", "MIGRATE_LINUX_FILE", "CONFIGURE_LINUX_FILE", "DETTACH_AGENT_IMAGE"}}},
		{"MIGRATE_FILE", "LINUX", true, lifecycle.Sequence{Migration: []string{"CREATE_CLOUD_SERVER", "SSL_CONFIG",
			"ATTACH_AGENT_IMAGE", "FORMAT_DISK_LINUX_FILE", "MIGRATE_LINUX_FILE", "CONFIGURE_LINUX_FILE", "DETTACH_AGENT_IMAGE"},
			Sync: "SYNC_LINUX_FILE"}},
		{"MIGRATE_BLOCK", "LINUX", true, lifecycle.Sequence{Migration: []string{"CREATE_CLOUD_SERVER", "SSL_CONFIG",
			"ATTACH_AGENT_IMAGE", "FORMAT_DISK_LINUX_BLOCK", "MIGRATE_LINUX_BLOCK", "CONFIGURE_LINUX_BLOCK", "DETTACH_AGENT_IMAGE"},
			Sync: "SYNC_LINUX_BLOCK"}},
		// The reference's Windows block sequence, with consecutive sub-tasks.
		{"MIGRATE_BLOCK", "WINDOWS", true, lifecycle.Sequence{Migration: []string{"CREATE_CLOUD_SERVER", "SSL_CONFIG",
			"ATTACH_AGENT_IMAGE", "FORMAT_DISK_WINDOWS", "MIGRATE_WINDOWS_BLOCK", "CONFIGURE_WINDOWS", "DETTACH_AGENT_IMAGE"},
			Sync: "SYNC_WINDOWS_BLOCK"}},
		// Windows migrates at block level only.
		{"MIGRATE_FILE", "WINDOWS", false, lifecycle.Sequence{Migration: []string{"CREATE_CLOUD_SERVER", "SSL_CONFIG",
			"ATTACH_AGENT_IMAGE", "FORMAT_DISK_WINDOWS", "MIGRATE_WINDOWS_BLOCK", "CONFIGURE_WINDOWS", "DETTACH_AGENT_IMAGE"}}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.taskType, "/", tt.osType, "/", tt.syncing), func(t *testing.T) {
			got, err := lifecycle.SequenceFor(tt.taskType, tt.osType, tt.syncing)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Migration, tt.want.Migration) || got.Sync != tt.want.Sync {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			if last := got.Migration[len(got.Migration)-1]; last != lifecycle.LastMigrationSubTask {
				t.Errorf("the migration ends with %s, not %s", last, lifecycle.LastMigrationSubTask)
			}
			for _, name := range append(slices.Clone(got.Migration), got.Sync) {
				if name == "" {
					continue
				}
				if lifecycle.IsSync(name) != (name == got.Sync) {
					t.Errorf("IsSync(%s) = %v", name, lifecycle.IsSync(name))
				}
				// Every name is one the progress API accepts.
				body := fmt.Sprintf(`{"subtask_name":%q,"progress":0,"replicatesize":0,"totalsize":0,"process_trace":""}`, name)
				if err := dec.Decode([]byte(body), &sms.ProgressReport{}); err != nil {
					t.Errorf("%s: %v", name, err)
				}
			}
		})
	}
	for _, bad := range [][2]string{{"", "LINUX"}, {"MIGRATE_FILE", ""}, {"MIGRATE_BLOCK", "SOLARIS"}} {
		if _, err := lifecycle.SequenceFor(bad[0], bad[1], false); err == nil {
			t.Errorf("SequenceFor(%q, %q) did not fail", bad[0], bad[1])
		}
	}
}

// TestReport checks every row of the state table against what docs/api.md promises, for each
// kind of report: a migration sub-task, the last one at 100, the sync sub-task, and it at 100.
func TestReport(t *testing.T) {
	const (
		mid      = "MIGRATE_LINUX_FILE"
		last     = "DETTACH_AGENT_IMAGE"
		syncTask = "SYNC_LINUX_FILE"
	)
	type want struct{ mid, last, sync, syncDone string } // "" means refused
	accepting := map[string]want{
		"READY":           {"RUNNING", "MIGRATE_SUCCESS", "", ""},
		"RUNNING":         {"RUNNING", "MIGRATE_SUCCESS", "", ""},
		"MIGRATE_SUCCESS": {"", "", "SYNCING", "SYNC_SUCCESS"},
		"SYNCING":         {"", "", "SYNCING", "SYNC_SUCCESS"},
		"SYNC_SUCCESS":    {"", "", "SYNCING", "SYNC_SUCCESS"},
	}
	for _, state := range lifecycle.States() {
		w := accepting[state] // every other state refuses everything
		for _, syncing := range []bool{false, true} {
			cases := []struct {
				subTask  string
				progress int32
				want     string
			}{
				{mid, 40, w.mid},
				{mid, 100, w.mid}, // only the last sub-task completes the migration
				{last, 99, w.mid},
				{last, 100, w.last},
				{syncTask, 40, w.sync},
				{syncTask, 100, w.syncDone},
			}
			for _, c := range cases {
				want := c.want
				if lifecycle.IsSync(c.subTask) && !syncing {
					want = "" // a task that does not sync takes no sync report
				}
				got, err := lifecycle.Report(state, syncing, c.subTask, c.progress)
				name := fmt.Sprintf("%s syncing=%v %s %d%%", state, syncing, c.subTask, c.progress)
				if want == "" {
					var refusal *lifecycle.Refusal
					if !errors.As(err, &refusal) {
						t.Errorf("%s: got %q, %v; want a refusal", name, got, err)
						continue
					}
					if msg := refusal.Error(); !strings.Contains(msg, state) || !strings.Contains(msg, c.subTask) || refusal.Why == "" {
						t.Errorf("%s: message %q does not name the state and sub-task and say why", name, msg)
					}
					continue
				}
				if err != nil || got != want {
					t.Errorf("%s: got %q, %v; want %q", name, got, err, want)
				}
			}
		}
	}
	if _, err := lifecycle.Report("NO_SUCH_STATE", false, mid, 1); err == nil {
		t.Error("a report on an unknown state was accepted")
	}
}

// docs/api.md shows the state table exactly as the code has it.
func TestAPIDocShowsTheStateTable(t *testing.T) {
	doc, err := os.ReadFile("../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), lifecycle.Table()) {
		t.Errorf("docs/api.md does not hold the state table; paste this into it:\n%s", lifecycle.Table())
	}
}
